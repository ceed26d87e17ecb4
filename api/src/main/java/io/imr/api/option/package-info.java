/**
 * Option specs: each option of a configuration object (an engine's, a strategy's, the embedded
 * client's and server's) is declared once, as an {@link io.imr.api.option.OptionSpec} with its name,
 * default and range, and that one declaration serves the builder that checks a value given in code,
 * the parser that reads it from text ({@code imr.*} properties, {@code IMR_*} variables, strategy
 * options), and the help that shows the default. A value out of range fails with an
 * {@link io.imr.api.option.InvalidOptionException} naming the option, what is allowed and the value.
 *
 * <p>Nothing here accepts or returns {@code null} unless its Javadoc says so.
 */
package io.imr.api.option;
