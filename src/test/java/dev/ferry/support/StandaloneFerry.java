package dev.ferry.support;

import dev.ferry.FerryApplication;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * A Ferry that a test starts and stops itself, beside the cached test contexts.
 */
public final class StandaloneFerry {

	private StandaloneFerry() {
	}

	/**
	 * Starts Ferry with command-line arguments.
	 * @param arguments the arguments
	 * @return the running application, to be closed by the test
	 */
	public static ConfigurableApplicationContext start(String... arguments) {
		return new SpringApplicationBuilder(FerryApplication.class, OwnEventLoops.class).run(arguments);
	}

	/**
	 * Gives a Ferry that a test stops event loops of its own: stopping one that shares
	 * Reactor Netty's global loops disposes them, and with them the loops of every test
	 * context still cached in this JVM, whose next upstream call would then hang.
	 */
	@Configuration(proxyBeanMethods = false)
	static class OwnEventLoops {

		@Bean
		ReactorResourceFactory reactorResourceFactory() {
			ReactorResourceFactory factory = new ReactorResourceFactory();
			factory.setUseGlobalResources(false);
			return factory;
		}

	}

}
