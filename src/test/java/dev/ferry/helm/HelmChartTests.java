package dev.ferry.helm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ProviderRegistry;
import dev.ferry.config.FerryProperties;
import dev.ferry.support.GatewayKey;
import dev.ferry.storage.BlobStore;
import dev.ferry.support.S3Server;
import dev.ferry.support.StandaloneFerry;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Helm chart, linted and rendered with an embedded Helm for each scenario in
 * {@code helm/ferry/ci}, and its configuration started in Ferry itself.
 */
class HelmChartTests {

	static final Path CHART = Path.of("helm", "ferry");

	/** The preStop sleep handler needs Kubernetes 1.30; render for a current cluster. */
	static final String KUBE_VERSION = "1.31.0";

	@TempDir
	Path work;

	static Stream<String> scenarios() throws IOException {
		try (Stream<Path> files = Files.list(CHART.resolve("ci"))) {
			return files.map((file) -> file.getFileName().toString()).sorted().toList().stream();
		}
	}

	@ParameterizedTest
	@MethodSource("scenarios")
	void lintsStrictly(String scenario) throws IOException {
		Path chart = chartWithValues(scenario);
		LintResult lint = new Helm(chart).lint().strict().call();
		assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
	}

	@ParameterizedTest
	@MethodSource("scenarios")
	void rendersSecureDeploymentsWithTheAppsProbePaths(String scenario) {
		List<Map<String, Object>> manifests = render(scenario);
		Map<String, Object> pod = at(only(manifests, "Deployment"), "spec", "template", "spec");
		assertThat(pod.get("automountServiceAccountToken")).isEqualTo(false);
		Map<String, Object> podSecurity = at(pod, "securityContext");
		assertThat(podSecurity).containsEntry("runAsNonRoot", true);
		assertThat(at(podSecurity, "seccompProfile")).containsEntry("type", "RuntimeDefault");

		Map<String, Object> container = first(pod.get("containers"));
		Map<String, Object> security = at(container, "securityContext");
		assertThat(security).containsEntry("readOnlyRootFilesystem", true)
			.containsEntry("allowPrivilegeEscalation", false);
		assertThat(at(security, "capabilities").get("drop")).isEqualTo(List.of("ALL"));
		assertThat(at(container, "resources", "requests")).containsKeys("cpu", "memory");

		assertThat(at(container, "livenessProbe", "httpGet")).containsEntry("path", "/actuator/health/liveness")
			.containsEntry("port", "management");
		assertThat(at(container, "readinessProbe", "httpGet")).containsEntry("path", "/actuator/health/readiness")
			.containsEntry("port", "management");
		int preStop = (int) at(container, "lifecycle", "preStop", "sleep").get("seconds");
		assertThat((int) pod.get("terminationGracePeriodSeconds")).as("longer than the pause and the drain")
			.isGreaterThan(preStop + 60);

		Map<String, Object> config = new Yaml()
			.load((String) at(only(manifests, "ConfigMap"), "data").get("application.yaml"));
		assertThat(at(config, "management", "server")).containsEntry("port", 8081);
		assertThat(at(config, "server")).containsEntry("shutdown", "graceful");
	}

	@Test
	void keysComeFromTheChartsSecret() {
		List<Map<String, Object>> manifests = render("ha-values.yaml");
		assertThat(at(only(manifests, "Secret"), "data")).containsKeys("provider-openai-api-key",
				"provider-anthropic-api-key", "results-cursor-secret");
		assertThat(secretRef(manifests, "FERRY_PROVIDER_KEY_OPENAI")).containsEntry("name", "ferry")
			.containsEntry("key", "provider-openai-api-key");
		assertThat(secretRef(manifests, "FERRY_RESULTS_CURSORSECRET")).containsEntry("key", "results-cursor-secret")
			.containsEntry("optional", false);
		Map<String, Object> config = new Yaml()
			.load((String) at(only(manifests, "ConfigMap"), "data").get("application.yaml"));
		assertThat(at(config, "ferry", "providers", "openai")).containsEntry("api-key", "${FERRY_PROVIDER_KEY_OPENAI}");
		assertThat(at(config, "ferry", "providers", "sandbox")).containsEntry("api-key", "");
		assertThat(at(only(manifests, "Secret"), "data")).containsKeys("gateway-search-team-key",
				"gateway-batch-jobs-key");
		assertThat(secretRef(manifests, "FERRY_GATEWAY_KEY_SEARCH_TEAM")).containsEntry("key",
				"gateway-search-team-key");
		List<Map<String, Object>> gatewayKeys = cast(at(config, "ferry", "auth").get("keys"));
		assertThat(gatewayKeys).extracting((key) -> key.get("key"))
			.containsExactly("${FERRY_GATEWAY_KEY_BATCH_JOBS}", "${FERRY_GATEWAY_KEY_SEARCH_TEAM}");
		assertThat(gatewayKeys.get(1)).containsEntry("providers", List.of("openai")).containsEntry("team", "search");
		assertThat(gatewayKeys.get(0)).containsEntry("team", "data-platform").containsEntry("admin", true);
		assertThat(gatewayKeys.get(1)).doesNotContainKey("admin");
		assertThat(at(config, "ferry", "quotas", "teams", "search")).containsEntry("requests-per-day", 1000000)
			.containsEntry("batches-in-flight", 20);
		assertThat(at(config, "ferry", "quotas", "keys", "search-team")).containsEntry("requests-per-batch", 50000);
		List<Map<String, Object>> endpoints = cast(at(config, "ferry", "webhooks").get("endpoints"));
		assertThat(endpoints).singleElement()
			.satisfies((endpoint) -> assertThat(endpoint).containsEntry("url", "https://hooks.example.com/ferry")
				.containsEntry("secret", "${FERRY_WEBHOOK_SECRET_BILLING}")
				.containsEntry("teams", List.of("search")));
		assertThat(at(config, "ferry", "webhooks")).containsEntry("give-up-after", "12h");
		assertThat(at(only(manifests, "Secret"), "data")).containsKey("webhook-billing-secret");
		assertThat(secretRef(manifests, "FERRY_WEBHOOK_SECRET_BILLING")).containsEntry("key", "webhook-billing-secret");
		assertThat(only(manifests, "HorizontalPodAutoscaler")).isNotNull();
		assertThat(only(manifests, "PodDisruptionBudget")).isNotNull();
	}

	@Test
	void keysComeFromAnExistingSecretWhenNamed() {
		List<Map<String, Object>> manifests = render("existing-secret-values.yaml");
		assertThat(manifests).noneMatch((manifest) -> "Secret".equals(manifest.get("kind")));
		assertThat(secretRef(manifests, "FERRY_PROVIDER_KEY_GROQ")).containsEntry("name", "ferry-keys")
			.containsEntry("key", "provider-groq-api-key");
		assertThat(secretRef(manifests, "FERRY_RESULTS_CURSORSECRET")).containsEntry("name", "ferry-keys");
	}

	@Test
	void refusesSeveralReplicasOnUnsharedLocalStorage() {
		assertThatThrownBy(() -> new Helm(CHART).template()
			.withName("ferry")
			.withKubeVersion(KUBE_VERSION)
			.set("replicaCount", 2)
			.call()).hasMessageContaining("set storage.type=s3");
		assertThatThrownBy(() -> new Helm(CHART).template()
			.withName("ferry")
			.withKubeVersion(KUBE_VERSION)
			.set("autoscaling.enabled", true)
			.set("persistence.enabled", true)
			.call()).as("a ReadWriteOnce volume is not shared").hasMessageContaining("ReadWriteMany");
		assertThatThrownBy(() -> new Helm(CHART).template()
			.withName("ferry")
			.withKubeVersion(KUBE_VERSION)
			.set("storage.type", "s3")
			.call()).hasMessageContaining("storage.s3.bucket");
		String shared = new Helm(CHART).template()
			.withName("ferry")
			.withKubeVersion(KUBE_VERSION)
			.set("replicaCount", 2)
			.set("persistence.enabled", true)
			.set("persistence.accessModes[0]", "ReadWriteMany")
			.call();
		assertThat(shared).contains("replicas: 2");
	}

	@Test
	void takesTheFamiliesWithFormatsOfTheirOwnAndFireworksWithItsAccount() {
		String rendered = new Helm(CHART).template()
			.withName("ferry")
			.withKubeVersion(KUBE_VERSION)
			.set("ferry.providers.mistral.base-url", "https://api.mistral.ai")
			.set("ferry.providers.fireworks.account-id", "my-account")
			.set("ferry.providers.cohere-eu.type", "cohere")
			.call();
		assertThat(rendered).contains("account-id: my-account", "type: cohere");
		assertThatThrownBy(() -> new Helm(CHART).template()
			.withName("ferry")
			.withKubeVersion(KUBE_VERSION)
			.set("ferry.providers.fireworks.base-url", "https://api.fireworks.ai")
			.call()).as("fireworks needs its account").hasMessageContaining("account-id");
		assertThatThrownBy(() -> new Helm(CHART).template()
			.withName("ferry")
			.withKubeVersion(KUBE_VERSION)
			.set("ferry.providers.cohere-eu.base-url", "https://eu.cohere.example")
			.call()).as("a name that is no family names its type").hasMessageContaining("type");
	}

	@Test
	void servesTheConsoleWhenAskedAndOnlyWithAGatewayKeyToSignInWith() {
		String rendered = new Helm(CHART).template()
			.withName("ferry")
			.withKubeVersion(KUBE_VERSION)
			.set("ferry.console.enabled", true)
			.set("secrets.gatewayKeys.ops", "ferry-ops-key-000000000001")
			.call();
		assertThat(rendered).contains("console:\n        enabled: true");
		assertThat(new Helm(CHART).template().withName("ferry").withKubeVersion(KUBE_VERSION).call())
			.as("off by default")
			.doesNotContain("console:");
		assertThatThrownBy(() -> new Helm(CHART).template()
			.withName("ferry")
			.withKubeVersion(KUBE_VERSION)
			.set("ferry.console.enabled", true)
			.call()).hasMessageContaining("ferry.console.enabled needs a gateway key");
	}

	@Test
	void shipsTheGrafanaDashboardForTheSidecarWhenAsked() throws IOException {
		String rendered = new Helm(CHART).template()
			.withName("ferry")
			.withKubeVersion(KUBE_VERSION)
			.set("grafanaDashboard.enabled", true)
			.set("grafanaDashboard.namespace", "monitoring")
			.call();
		List<Map<String, Object>> dashboards = new ArrayList<>();
		for (Object document : new Yaml().loadAll(rendered)) {
			Map<String, Object> manifest = cast(document);
			if (manifest != null && "ferry-dashboard".equals(at(manifest, "metadata").get("name"))) {
				dashboards.add(manifest);
			}
		}
		assertThat(dashboards).hasSize(1);
		Map<String, Object> dashboard = dashboards.get(0);
		assertThat(at(dashboard, "metadata")).containsEntry("namespace", "monitoring");
		assertThat(at(dashboard, "metadata", "labels")).containsEntry("grafana_dashboard", "1");
		JsonMapper json = JsonMapper.builder().build();
		assertThat(json.readTree((String) at(dashboard, "data").get("ferry.json")))
			.isEqualTo(json.readTree(Files.readString(CHART.resolve("dashboards/ferry.json"))));
		assertThat(new Helm(CHART).template().withName("ferry").withKubeVersion(KUBE_VERSION).call())
			.as("off by default")
			.doesNotContain("ferry-dashboard");
	}

	@Test
	void takesVertexWithItsProjectAndBucket() {
		String rendered = new Helm(CHART).template()
			.withName("ferry")
			.withKubeVersion(KUBE_VERSION)
			.set("ferry.providers.vertex.project", "my-project")
			.set("ferry.providers.vertex.gcs-bucket", "my-staging")
			.set("ferry.providers.vertex.location", "europe-west4")
			.call();
		assertThat(rendered).contains("project: my-project", "gcs-bucket: my-staging", "location: europe-west4");
		assertThatThrownBy(() -> new Helm(CHART).template()
			.withName("ferry")
			.withKubeVersion(KUBE_VERSION)
			.set("ferry.providers.vertex.project", "my-project")
			.call()).as("vertex needs its bucket").hasMessageContaining("gcs-bucket");
	}

	@Test
	void takesBedrockWithItsRoleAndBucketsOnIrsa() {
		String rendered = new Helm(CHART).template()
			.withName("ferry")
			.withKubeVersion(KUBE_VERSION)
			.set("serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn", "arn:aws:iam::123456789012:role/ferry")
			.set("ferry.providers.bedrock.region", "us-east-1")
			.set("ferry.providers.bedrock.role-arn", "arn:aws:iam::123456789012:role/ferry-bedrock-batch")
			.set("ferry.providers.bedrock.input-s3-uri", "s3://my-batch-bucket/bedrock/input/")
			.set("ferry.providers.bedrock.output-s3-uri", "s3://my-batch-bucket/bedrock/output/")
			.set("ferry.providers.bedrock.small-batches", "executed")
			.call();
		assertThat(rendered).contains("eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/ferry",
				"role-arn: arn:aws:iam::123456789012:role/ferry-bedrock-batch",
				"input-s3-uri: s3://my-batch-bucket/bedrock/input/", "small-batches: executed");
		assertThatThrownBy(() -> new Helm(CHART).template()
			.withName("ferry")
			.withKubeVersion(KUBE_VERSION)
			.set("ferry.providers.bedrock.small-batches", "run")
			.call()).as("small-batches is refuse or executed").hasMessageContaining("small-batches");
		assertThatThrownBy(() -> new Helm(CHART).template()
			.withName("ferry")
			.withKubeVersion(KUBE_VERSION)
			.set("ferry.providers.bedrock.role-arn", "arn:aws:iam::123456789012:role/r")
			.set("ferry.providers.bedrock.input-s3-uri", "s3://b/in/")
			.call()).as("bedrock needs its output").hasMessageContaining("output-s3-uri");
	}

	@Test
	void takesTheLimitsOfBatchesFerryRunsAndRefusesOthers() {
		String rendered = new Helm(CHART).template()
			.withName("ferry")
			.withKubeVersion(KUBE_VERSION)
			.set("ferry.providers.openai.batch-mode", "executed")
			.set("ferry.providers.openai.requests-per-minute", 3000)
			.set("ferry.providers.openai.tokens-per-minute", 2000000)
			.set("ferry.providers.openai.headroom-percent", 20)
			.call();
		assertThat(rendered).contains("batch-mode: executed", "requests-per-minute: 3000", "headroom-percent: 20");
		assertThatThrownBy(() -> new Helm(CHART).template()
			.withName("ferry")
			.withKubeVersion(KUBE_VERSION)
			.set("ferry.providers.openai.batch-mode", "sometimes")
			.call()).hasMessageContaining("batch-mode");
		assertThatThrownBy(() -> new Helm(CHART).template()
			.withName("ferry")
			.withKubeVersion(KUBE_VERSION)
			.set("ferry.providers.openai.headroom-percent", 95)
			.call()).hasMessageContaining("headroom-percent");
	}

	@Test
	void rendersThreeReplicasOnS3() {
		List<Map<String, Object>> manifests = render("ha-values.yaml");
		assertThat(at(only(manifests, "HorizontalPodAutoscaler"), "spec")).containsEntry("minReplicas", 3);
		Map<String, Object> config = new Yaml()
			.load((String) at(only(manifests, "ConfigMap"), "data").get("application.yaml"));
		assertThat(at(config, "ferry", "storage")).containsEntry("type", "s3");
		assertThat(at(config, "ferry", "storage", "s3")).containsEntry("bucket", "ferry-state")
			.containsEntry("path-style-access", true)
			.containsEntry("access-key-id", "${FERRY_STORAGE_S3_ACCESSKEYID}");
		assertThat(secretRef(manifests, "FERRY_STORAGE_S3_ACCESSKEYID")).containsEntry("name", "ferry-s3")
			.containsEntry("key", "access-key-id");
		assertThat(secretRef(manifests, "FERRY_STORAGE_S3_SECRETACCESSKEY")).containsEntry("key", "secret-access-key");

		List<Map<String, Object>> irsa = render("irsa-values.yaml");
		assertThat(at(only(irsa, "Deployment"), "spec")).containsEntry("replicas", 3);
		assertThat(at(only(irsa, "ServiceAccount"), "metadata", "annotations"))
			.containsEntry("eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/ferry-state");
		Map<String, Object> irsaConfig = new Yaml()
			.load((String) at(only(irsa, "ConfigMap"), "data").get("application.yaml"));
		assertThat(at(irsaConfig, "ferry", "storage", "s3")).as("credentials from the AWS default chain")
			.doesNotContainKey("access-key-id")
			.containsEntry("region", "eu-west-1");
	}

	@Test
	void theRenderedConfigurationStartsFerry() throws IOException {
		String config = (String) at(only(render("ha-values.yaml"), "ConfigMap"), "data").get("application.yaml");
		Path directory = Files.createDirectories(this.work.resolve("config"));
		try (S3Server s3 = S3Server.start("ferry-state")) {
			Files.writeString(directory.resolve("application.yaml"),
					config.replace("http://minio.storage:9000", s3.endpoint().toString()));
			startRenderedConfiguration(directory, s3);
		}
	}

	private void startRenderedConfiguration(Path directory, S3Server s3) {
		try (ConfigurableApplicationContext ferry = StandaloneFerry.start(
				"--spring.config.additional-location=file:" + directory + "/", "--server.port=0",
				"--management.server.port=0", "--FERRY_PROVIDER_KEY_OPENAI=sk-from-secret",
				"--FERRY_PROVIDER_KEY_ANTHROPIC=sk-ant-from-secret",
				"--FERRY_GATEWAY_KEY_SEARCH_TEAM=ferry-search-team-key-0000001",
				"--FERRY_GATEWAY_KEY_BATCH_JOBS=ferry-batch-jobs-key-00000001",
				"--FERRY_WEBHOOK_SECRET_BILLING=whsec_ZmVycnktd2ViaG9vay10ZXN0LXNlY3JldC0zMmJ5dGU=",
				"--FERRY_STORAGE_S3_ACCESSKEYID=" + s3.accessKey(),
				"--FERRY_STORAGE_S3_SECRETACCESSKEY=" + s3.secretKey())) {
			FerryProperties properties = ferry.getBean(FerryProperties.class);
			assertThat(properties.providers().get("openai").apiKey()).isEqualTo("sk-from-secret");
			ProviderRegistry providers = ferry.getBean(ProviderRegistry.class);
			assertThat(providers.get("sandbox").descriptor().family()).isEqualTo("sandbox");
			assertThat(providers.baseUrl("openai")).hasToString("https://api.openai.com/v1");
			assertThat(properties.results().spool().maxSize().toGigabytes()).isEqualTo(8);
			assertThat(ferry.getBean(BlobStore.class).describe()).isEqualTo("s3://ferry-state/ferry/");
			assertThat(properties.auth().keys()).extracting(FerryProperties.GatewayKey::name)
				.containsExactly("batch-jobs", "search-team");
			assertThat(properties.pricing().get("openai").get("gpt-4o-mini").outputPerMtok()).isEqualTo(0.6);
			assertThat(properties.pricing().get("openai").get("gpt-4o-mini").batchDiscountPercent()).isEqualTo(50);
			assertThat(properties.webhooks().endpoints()).singleElement()
				.satisfies((endpoint) -> assertThat(endpoint.secret()).startsWith("whsec_"));
		}
	}

	private List<Map<String, Object>> render(String scenario) {
		String rendered = new Helm(CHART).template()
			.withName("ferry")
			.withKubeVersion(KUBE_VERSION)
			.withValuesFile(CHART.resolve("ci").resolve(scenario))
			.call();
		List<Map<String, Object>> manifests = new ArrayList<>();
		for (Object document : new Yaml().loadAll(rendered)) {
			if (document instanceof Map<?, ?> map) {
				manifests.add(cast(map));
			}
		}
		return manifests;
	}

	/** A copy of the chart whose values.yaml has the scenario merged in, for lint. */
	private Path chartWithValues(String scenario) throws IOException {
		Path copy = this.work.resolve("chart-" + scenario).resolve("ferry");
		try (Stream<Path> files = Files.walk(CHART)) {
			for (Path file : files.toList()) {
				Path target = copy.resolve(CHART.relativize(file).toString());
				if (Files.isDirectory(file)) {
					Files.createDirectories(target);
				}
				else {
					Files.copy(file, target);
				}
			}
		}
		Yaml yaml = new Yaml();
		Map<String, Object> values = yaml.load(Files.readString(CHART.resolve("values.yaml")));
		Map<String, Object> overrides = yaml.load(Files.readString(CHART.resolve("ci").resolve(scenario)));
		Files.writeString(copy.resolve("values.yaml"), yaml.dump(merge(values, overrides)));
		return copy;
	}

	private static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> overrides) {
		Map<String, Object> merged = new LinkedHashMap<>(base);
		if (overrides != null) {
			overrides.forEach((key, value) -> merged.merge(key, value,
					(old, updated) -> (old instanceof Map<?, ?> oldMap && updated instanceof Map<?, ?> newMap)
							? merge(cast(oldMap), cast(newMap)) : updated));
		}
		return merged;
	}

	private static Map<String, Object> secretRef(List<Map<String, Object>> manifests, String env) {
		Map<String, Object> container = first(
				at(only(manifests, "Deployment"), "spec", "template", "spec").get("containers"));
		List<Map<String, Object>> variables = cast(container.get("env"));
		Map<String, Object> variable = variables.stream()
			.filter((candidate) -> env.equals(candidate.get("name")))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no environment variable " + env));
		return at(variable, "valueFrom", "secretKeyRef");
	}

	private static Map<String, Object> only(List<Map<String, Object>> manifests, String kind) {
		List<Map<String, Object>> matching = manifests.stream()
			.filter((manifest) -> kind.equals(manifest.get("kind")))
			.toList();
		assertThat(matching).as("one " + kind).hasSize(1);
		return matching.get(0);
	}

	private static Map<String, Object> at(Map<String, Object> map, String... path) {
		Map<String, Object> current = map;
		for (String key : path) {
			current = cast(
					Objects.requireNonNull(current.get(key), () -> "no " + key + " in " + String.join(".", path)));
		}
		return current;
	}

	private static Map<String, Object> first(Object list) {
		List<Map<String, Object>> items = cast(list);
		return items.get(0);
	}

	@SuppressWarnings("unchecked")
	private static <T> T cast(Object value) {
		return (T) value;
	}

}
