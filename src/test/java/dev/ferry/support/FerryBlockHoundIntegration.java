package dev.ferry.support;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * What BlockHound lets block on an event loop in the tests: Spring's one-time draw of its
 * multipart boundary generator's seed (a {@code SecureRandom} read of
 * {@code /dev/urandom} when the first form is sent upstream), and the AWS SDK's closing
 * of its connection pools on Netty's global executor when the S3 store shuts down; both
 * are outside Ferry and off any request's path. Every other blocking call on a
 * non-blocking thread fails the test that made it.
 */
public final class FerryBlockHoundIntegration implements BlockHoundIntegration {

	@Override
	public void applyTo(BlockHound.Builder builder) {
		builder.allowBlockingCallsInside("org.springframework.util.MimeTypeUtils", "generateMultipartBoundary");
		builder.allowBlockingCallsInside("io.netty.channel.pool.SimpleChannelPool", "close");
		builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup",
				"tryExpandMagazines");
		builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
	}

}
