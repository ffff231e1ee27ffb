package dev.coi.api.internal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.immutables.value.Value;

/**
 * The one Immutables style of coi's value types: implementations stay package-private, so generated
 * classes never appear in a signature; users reach values through {@code builder()} and {@code
 * toBuilder()} on the abstract type. For coi's own modules, not for users.
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
