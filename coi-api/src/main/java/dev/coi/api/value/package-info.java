/**
 * The shared shape of coi's immutable values: {@link dev.coi.api.value.ValueStyle}, the Immutables
 * style every value type of coi (and, if they like, of a third-party backend or store) is declared
 * with. Users of sessions never need this package.
 */
package dev.coi.api.value;
