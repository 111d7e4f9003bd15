/**
 * Providers in the API's list that no batch can run on, which answer every batch call
 * with a clear {@code unsupported_operation}.
 */
@NullMarked
package dev.ferry.provider.unsupported;

import org.jspecify.annotations.NullMarked;
