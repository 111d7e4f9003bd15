/**
 * Who is calling: gateway keys, the caller's own credentials, and the provider keys
 * handed out in turn.
 */
@NullMarked
package dev.ferry.auth;

import org.jspecify.annotations.NullMarked;
