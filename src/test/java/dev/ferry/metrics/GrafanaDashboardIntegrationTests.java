package dev.ferry.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart's Grafana dashboard against the metrics a running Ferry exposes: after
 * traffic of every kind the dashboard draws (the three dialects' requests, an upstream
 * provider with its status cache, a batch Ferry runs itself, a sandbox batch run to its
 * end and its results paged), every metric each query names is in the Prometheus scrape,
 * with every label the query groups or filters by.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "ferry.providers.sandbox.processing-time=1s", "ferry.usage.enabled=true",
				"ferry.pricing.sandbox.echo-1.input-per-mtok=1", "ferry.pricing.sandbox.echo-1.output-per-mtok=2" })
@AutoConfigureWebTestClient(timeout = "30s")
class GrafanaDashboardIntegrationTests {

	static final Path DASHBOARD = Path.of("helm", "ferry", "dashboards", "ferry.json");

	private static final MockWebServer upstream = MockUpstreams.started();

	/** Grafana's own variables, which it replaces before a query reaches Prometheus. */
	private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$__\\w+|\\$\\w+");

	private static final Pattern LABEL_MATCHER = Pattern.compile("\\{([^}]*)}");

	private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");

	private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

	private static final Set<String> PROMQL_WORDS = Set.of("sum", "min", "max", "avg", "count", "group", "topk",
			"bottomk", "quantile", "stddev", "stdvar", "by", "without", "on", "ignoring", "group_left", "group_right",
			"and", "or", "unless", "bool", "offset");

	private final JsonMapper mapper = JsonMapper.builder().build();

	@Autowired
	WebTestClient web;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		MockUpstreams.pointAt(registry, upstream, List.of("openai"), false);
		registry.add("ferry.providers.vllm.base-url", () -> upstream.url("/v1").toString());
		upstream.setDispatcher(new Dispatcher() {
			@Override
			public MockResponse dispatch(RecordedRequest request) {
				return new MockResponse.Builder().code(200)
					.addHeader("Content-Type", "application/json")
					.body("{\"id\":\"batch_up\",\"object\":\"batch\",\"endpoint\":\"/v1/chat/completions\","
							+ "\"input_file_id\":\"file-in\",\"completion_window\":\"24h\",\"status\":\"completed\","
							+ "\"output_file_id\":null,\"error_file_id\":null,\"created_at\":1763800000,"
							+ "\"completed_at\":1763803600,\"request_counts\":{\"total\":1,\"completed\":1,\"failed\":0}}")
					.build();
			}
		});
	}

	@AfterAll
	static void stopUpstream() {
		upstream.close();
	}

	@Test
	void everyQueryNamesMetricsAndLabelsFerryExposes() throws Exception {
		exerciseEveryPathTheDashboardDraws();
		Map<String, Set<String>> exposed = labelsByMetric(scrapeOnceBatchesEnded());
		JsonNode dashboard = this.mapper.readTree(Files.readString(DASHBOARD));
		List<String> queries = new ArrayList<>();
		dashboard.path("panels").forEach((panel) -> panel.path("targets").forEach((target) -> {
			queries.add(target.path("expr").asString());
		}));
		assertThat(queries).as("the dashboard's queries").hasSizeGreaterThan(15).doesNotContain("");
		for (String query : queries) {
			Set<String> metrics = metricsOf(query);
			assertThat(metrics).as("metrics of %s", query).isNotEmpty();
			for (String metric : metrics) {
				assertThat(exposed).as("Ferry's scrape, for %s", query).containsKey(metric);
			}
			for (String label : labelsOf(query)) {
				assertThat(metrics).as("a metric of %s carrying label '%s'", query, label)
					.anyMatch((metric) -> exposed.get(metric).contains(label));
			}
		}
	}

	@Test
	void theVariablesAndPanelsAreWellFormed() throws Exception {
		JsonNode dashboard = this.mapper.readTree(Files.readString(DASHBOARD));
		Set<String> ids = new HashSet<>();
		dashboard.path("panels").forEach((panel) -> {
			assertThat(panel.path("title").asString()).isNotBlank();
			if (!panel.path("type").asString().equals("row")) {
				assertThat(panel.at("/datasource/uid").asString()).isEqualTo("${datasource}");
				panel.path("targets")
					.forEach((target) -> assertThat(
							ids.add(panel.path("title").asString() + "/" + target.path("refId").asString()))
						.isTrue());
			}
		});
		assertThat(dashboard.at("/templating/list").findValuesAsString("name")).containsExactly("datasource",
				"provider");
	}

	@Test
	void readsMetricNamesAndLabelsOutOfAQuery() {
		String query = "histogram_quantile(0.99, sum by (le, dialect) "
				+ "(rate(http_server_requests_seconds_bucket{provider=~\"$provider\", outcome!=\"SUCCESS\"}"
				+ "[$__rate_interval]))) / sum(increase(ferry_status_cache_requests_total[$__range]))";
		assertThat(metricsOf(query)).containsExactly("http_server_requests_seconds_bucket",
				"ferry_status_cache_requests_total");
		assertThat(labelsOf(query)).containsExactlyInAnyOrder("le", "dialect", "provider", "outcome");
	}

	/** The calls whose meters the dashboard reads, each made once. */
	private void exerciseEveryPathTheDashboardDraws() throws Exception {
		WebTestClient keyed = GatewayKey.presentedBy(this.web);
		JsonNode created = json(keyed.post().uri("/v1/batches").contentType(MediaType.APPLICATION_JSON).bodyValue("""
				{"model":"sandbox/echo-1","endpoint":"/v1/chat/completions",
				 "requests":[{"custom_id":"a","params":{"messages":[{"role":"user","content":"hi"}]}}]}
				""").exchange());
		String id = created.path("id").asString();
		Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
		while (!json(keyed.get().uri("/v1/batches/{id}?provider=sandbox", id).exchange()).path("status")
			.asString()
			.equals("completed")) {
			assertThat(Instant.now()).as("the sandbox batch completes").isBefore(deadline);
			Thread.sleep(200);
		}
		keyed.get().uri("/v1/batches/{id}/results?provider=sandbox", id).exchange().expectStatus().isOk();
		// A provider upstream twice: a miss, then a hit of its status cache.
		for (int i = 0; i < 2; i++) {
			keyed.get().uri("/openai/v1/batches/batch_up?provider=openai").exchange().expectStatus().isOk();
		}
		keyed.get()
			.uri("/anthropic/v1/messages/batches/msgbatch_missing?provider=sandbox")
			.exchange()
			.expectStatus()
			.isNotFound();
	}

	/** The scrape, once the sandbox batch's end has been recorded in the background. */
	private String scrapeOnceBatchesEnded() throws InterruptedException {
		Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
		while (true) {
			String scrape = this.web.get()
				.uri("/actuator/prometheus")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody(String.class)
				.returnResult()
				.getResponseBody();
			// The recorder counts a batch's meters one after another: wait for all of
			// them.
			if (scrape.contains("ferry_batches_ended_total{") && scrape.contains("ferry_batch_cost_usd_total{")) {
				return scrape;
			}
			assertThat(Instant.now()).as("the ended batch is recorded").isBefore(deadline);
			Thread.sleep(200);
		}
	}

	private JsonNode json(WebTestClient.ResponseSpec response) {
		return this.mapper
			.readTree(response.expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
	}

	/** Every series name of a scrape, with the labels its series carry. */
	private static Map<String, Set<String>> labelsByMetric(String scrape) {
		Map<String, Set<String>> labels = new HashMap<>();
		for (String line : scrape.lines().toList()) {
			if (line.isBlank() || line.startsWith("#")) {
				continue;
			}
			int brace = line.indexOf('{');
			int space = line.indexOf(' ');
			String name = line.substring(0, (brace >= 0 && brace < space) ? brace : space);
			Set<String> names = labels.computeIfAbsent(name, (key) -> new HashSet<>());
			if (brace >= 0 && brace < space) {
				// Label values may hold braces themselves (uri="/batches/{batch_id}").
				Matcher label = Pattern.compile("(\\w+)=\"").matcher(line.substring(brace, line.lastIndexOf('}')));
				while (label.find()) {
					names.add(label.group(1));
				}
			}
		}
		return labels;
	}

	/** The metric names a PromQL query reads. */
	static Set<String> metricsOf(String query) {
		String bare = LABEL_MATCHER.matcher(GROUPING.matcher(withoutVariables(query)).replaceAll(""))
			.replaceAll("")
			.replaceAll("\\[[^]]*]", "")
			.replaceAll("\"[^\"]*\"", "");
		Set<String> metrics = new LinkedHashSet<>();
		Matcher identifier = IDENTIFIER.matcher(bare);
		while (identifier.find()) {
			String word = identifier.group();
			boolean calledAsFunction = bare.substring(identifier.end()).stripLeading().startsWith("(");
			if (!PROMQL_WORDS.contains(word) && !calledAsFunction) {
				metrics.add(word);
			}
		}
		return metrics;
	}

	/** The labels a PromQL query groups by or matches on. */
	static Set<String> labelsOf(String query) {
		String bare = withoutVariables(query);
		Set<String> labels = new LinkedHashSet<>();
		Matcher grouping = GROUPING.matcher(bare);
		while (grouping.find()) {
			for (String label : grouping.group(1).split(",")) {
				labels.add(label.strip());
			}
		}
		Matcher matchers = LABEL_MATCHER.matcher(bare);
		while (matchers.find()) {
			Matcher name = Pattern.compile("(\\w+)\\s*(?:=~|!~|!=|=)").matcher(matchers.group(1));
			while (name.find()) {
				labels.add(name.group(1));
			}
		}
		return labels;
	}

	private static String withoutVariables(String query) {
		return GRAFANA_VARIABLE.matcher(query).replaceAll("5m");
	}

}
