/**
 * Blob storage for gateway-held bytes: uploads, generated files and spools.
 */
@NullMarked
package dev.ferry.storage;

import org.jspecify.annotations.NullMarked;
