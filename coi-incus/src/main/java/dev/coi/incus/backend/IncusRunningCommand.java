package dev.coi.incus.backend;

import dev.coi.api.RunningCommand;
import dev.coi.api.TerminalSize;
import dev.coi.api.spi.ExecSpec;
import dev.coi.incus.ExecProcess;
import java.io.InputStream;
import java.io.OutputStream;

/** A command started on Incus, as the SPI sees it: the client's {@link ExecProcess} behind it. */
final class IncusRunningCommand implements RunningCommand {
  private final ExecProcess process;
  private final boolean terminal;

  IncusRunningCommand(ExecProcess process, ExecSpec exec) {
    this.process = process;
    this.terminal = exec.terminal().isPresent();
  }

  @Override
  public OutputStream stdin() {
    return process.stdin();
  }

  @Override
  public InputStream stdout() {
    return process.stdout();
  }

  @Override
  public InputStream stderr() {
    return process.stderr();
  }

  @Override
  public void resize(TerminalSize size) {
    if (terminal) {
      process.resize(size.columns(), size.rows());
    }
  }

  @Override
  public int waitFor() {
    return process.waitFor();
  }

  @Override
  public void close() {
    process.close();
  }
}
