package dev.coi.api;

/**
 * The image a session needs is not on the backend. The message names the image and how to get it.
 */
public class ImageNotFoundException extends NotFoundException {
  private static final long serialVersionUID = 1L;
  private final String image;

  public ImageNotFoundException(String image, String message) {
    super(message);
    this.image = image;
  }

  /** The image alias or fingerprint that was asked for. */
  public String image() {
    return image;
  }
}
