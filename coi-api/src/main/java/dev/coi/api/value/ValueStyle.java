package dev.coi.api.value;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.immutables.value.Value;

/**
 * The one Immutables style of coi's value types, public so that every coi module and any
 * third-party backend or store can give its values the same shape: the generated implementation
 * stays package-private (it never appears in a signature), and users reach a value through the
 * abstract type's {@code builder()}, {@code of(…)} and {@code toBuilder()}. Accessors may be named
 * {@code isX()}/{@code getX()} or plainly {@code x()}; the generated code needs the JDK only.
 *
 * <pre>{@code
 * @Value.Immutable
 * @ValueStyle
 * public abstract class Quota {
 *   Quota() {}
 *
 *   public abstract int files();
 *
 *   public static Builder builder() {
 *     return new Builder();
 *   }
 *
 *   public static final class Builder extends ImmutableQuota.Builder {}
 * }
 * }</pre>
 *
 * <p>Class retention: the annotation processor (Immutables, a compile-time dependency) reads it; at
 * run time nothing of Immutables is needed.
 */
@Target({ElementType.PACKAGE, ElementType.TYPE})
@Retention(RetentionPolicy.CLASS)
@Value.Style(
    visibility = Value.Style.ImplementationVisibility.PACKAGE,
    overshadowImplementation = true,
    builderVisibility = Value.Style.BuilderVisibility.PACKAGE,
    jdkOnly = true,
    get = {"is*", "get*"})
public @interface ValueStyle {}
