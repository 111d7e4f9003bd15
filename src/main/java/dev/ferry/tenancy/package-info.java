/**
 * Many teams on one Ferry: which team owns each batch and file created with a gateway
 * key, so that no other team can see, read or change it.
 */
@NullMarked
package dev.ferry.tenancy;

import org.jspecify.annotations.NullMarked;
