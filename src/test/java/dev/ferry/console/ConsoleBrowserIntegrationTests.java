package dev.ferry.console;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.support.GatewayKey;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console in a real browser: Debian's Chromium, headless, driven through its
 * chromedriver, against a Ferry on the sandbox. Screenshots of each step are kept in
 * {@code target/console-screenshots}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "ferry.console.enabled=true", "ferry.providers.sandbox.processing-time=8s" })
class ConsoleBrowserIntegrationTests {

	private static final String CHROMIUM = "/usr/bin/chromium";

	private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

	private static final String OTHER_TEAM_KEY = "ferry-console-other-team-0002";

	private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

	private static WebDriver browser;

	private static Path profile;

	private final HttpClient http = HttpClient.newHttpClient();

	private final JsonMapper mapper = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		Path storage = Files.createTempDirectory("ferry-console-it");
		registry.add("ferry.storage.path", storage::toString);
		GatewayKey.register(registry);
		registry.add("ferry.auth.keys[1].name", () -> "other");
		registry.add("ferry.auth.keys[1].key", () -> OTHER_TEAM_KEY);
	}

	@BeforeAll
	static void startBrowser() throws IOException {
		assertThat(new File(CHROMEDRIVER))
			.as("the browser test needs Debian's chromium and chromium-driver packages (.ci/run installs them)")
			.exists();
		profile = Files.createTempDirectory("ferry-console-chromium");
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM);
		// Without the background-networking flags Chromium keeps calling Google's hosts,
		// which this machine's closed network refuses.
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
				"--disable-sync", "--window-size=1366,900", "--user-data-dir=" + profile);
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
			.usingAnyFreePort()
			.build();
		browser = new ChromeDriver(service, options);
		Files.createDirectories(SCREENSHOTS);
	}

	@AfterAll
	static void stopBrowser() {
		if (browser != null) {
			browser.quit();
		}
	}

	@Test
	void aTeamFollowsItsBatchToTheEndPagesItsResultsAndCancelsAnother() throws Exception {
		String first = create(25);
		browser.get(base() + "/console");
		WebElement key = waitFor((page) -> visible(By.id("key")));
		shot("01-sign-in");

		key.sendKeys("ferry-not-a-key-of-this-ferry-000", Keys.ENTER);
		waitFor((page) -> text(By.id("sign-in-error")).contains("refused") ? true : null);

		// Signed in with the keyboard alone: the form submits on Enter.
		browser.findElement(By.id("key")).sendKeys(GatewayKey.KEY, Keys.ENTER);
		waitFor((page) -> row(first));
		assertThat(text(By.id("who"))).contains("tests").contains("team tests");
		script("window.ferryTestMarker = 'no reload';");

		Set<String> seen = new LinkedHashSet<>();
		waitFor(Duration.ofSeconds(40), (page) -> {
			String status = row(first).getDomAttribute("data-status");
			seen.add(status);
			return "completed".equals(status) ? status : null;
		});
		assertThat(seen.iterator().next()).as("the batch was running when the list first showed it")
			.isIn("validating", "in_progress", "finalizing");
		assertThat(seen).as("statuses the list showed, in order, without a reload").last().isEqualTo("completed");
		// Read in one script: the list is redrawn on every look, which would leave
		// elements found before it stale.
		assertThat(script("const bar = document.querySelector(\"tr[data-batch='" + first + "'] progress\");"
				+ "return [bar.getAttribute('value'), bar.getAttribute('max'), bar.getAttribute('aria-label')];"))
			.isEqualTo(List.of("25", "25", "25 of 25 requests done"));
		assertThat(script("return window.ferryTestMarker;")).isEqualTo("no reload");
		shot("02-batches");

		waitFor((page) -> {
			row(first).findElement(By.tagName("a")).click();
			return true;
		});
		waitFor((page) -> text(By.cssSelector("#view h1")).contains(first) ? true : null);
		assertThat(resultsShowing("q-01")).containsExactly("q-01", "q-02", "q-03", "q-04", "q-05", "q-06", "q-07",
				"q-08", "q-09", "q-10");
		assertThat(text(By.className("timeline"))).contains("Created").contains("Started").contains("Completed");
		assertThat(browser.findElement(By.id("results-previous")).isEnabled()).isFalse();
		shot("03-batch");
		browser.findElement(By.id("results-next")).click();
		assertThat(resultsShowing("q-11")).hasSize(10).startsWith("q-11").endsWith("q-20");
		browser.findElement(By.id("results-next")).click();
		assertThat(resultsShowing("q-21")).containsExactly("q-21", "q-22", "q-23", "q-24", "q-25");
		assertThat(browser.findElement(By.id("results-next")).isEnabled()).isFalse();
		browser.findElement(By.id("results-previous")).click();
		assertThat(resultsShowing("q-11")).startsWith("q-11");

		String second = create(25);
		browser.get(base() + "/console/#/batches/sandbox/" + second);
		waitFor((page) -> visible(By.id("cancel"))).click();
		waitFor((page) -> visible(By.id("confirm-cancel"))).click();
		waitFor((page) -> text(By.className("status")).matches("cancell(ing|ed)") ? true : null);
		assertThat(retrieve(second).path("status").asString()).isIn("cancelling", "cancelled");
		shot("04-cancelled");

		browser.findElement(By.linkText("Providers")).click();
		WebElement sandbox = waitFor((page) -> visible(By.cssSelector("tr[data-provider='sandbox']")));
		assertThat(sandbox.getText()).contains("sandbox").contains("yes");
		assertThat(browser.findElement(By.linkText("Providers")).getDomAttribute("aria-current")).isEqualTo("page");
		shot("05-providers");

		browser.findElement(By.linkText("Batches")).click();
		waitFor((page) -> (row(second) != null && row(first) != null) ? true : null);
		assertThat(script("return [...document.querySelectorAll('#batch-rows tr[data-batch]')]"
				+ ".slice(0, 2).map((row) => row.dataset.batch);"))
			.as("newest first")
			.isEqualTo(List.of(second, first));
		shot("06-batches-later");

		browser.findElement(By.id("sign-out")).click();
		waitFor((page) -> visible(By.id("key")));
		assertThat(script("return sessionStorage.length;")).isEqualTo(0L);
	}

	@Test
	void olderBatchesOpenedWithTheButtonStayThroughTheNextLook() throws Exception {
		List<String> created = new ArrayList<>();
		for (int i = 0; i < ConsoleApi.DEFAULT_LIMIT + 1; i++) {
			created.add(create(1));
			// The index orders by the millisecond of creation.
			Thread.sleep(2);
		}
		String oldest = created.get(0);
		// Signed out whatever ran before, then signed in afresh.
		browser.get(base() + "/console/");
		script("sessionStorage.clear();");
		browser.navigate().refresh();
		waitFor((page) -> visible(By.id("key"))).sendKeys(GatewayKey.KEY, Keys.ENTER);
		waitFor((page) -> row(created.get(ConsoleApi.DEFAULT_LIMIT)));
		assertThat(row(oldest)).as("past the first page").isNull();
		waitFor((page) -> visible(By.xpath("//button[text()='Older batches']"))).click();
		waitFor((page) -> row(oldest));
		String looked = text(By.id("updates"));
		waitFor((page) -> text(By.id("updates")).equals(looked) ? null : true);
		assertThat(row(oldest)).as("still shown after the list was read again").isNotNull();
		assertThat(row(created.get(ConsoleApi.DEFAULT_LIMIT))).isNotNull();
	}

	@Test
	void aKeyOfAnotherTeamSeesNoneOfTheseBatchesAndOtherCredentialsAreRefused() throws Exception {
		String batch = create(1);
		JsonNode own = get("/console/api/batches", GatewayKey.KEY);
		assertThat(own.path("data").findValuesAsString("id")).contains(batch);
		JsonNode others = get("/console/api/batches", OTHER_TEAM_KEY);
		assertThat(others.path("data").findValuesAsString("id")).doesNotContain(batch);
		HttpResponse<String> badCursor = this.http.send(
				request("/console/api/batches?after=not-a-cursor", GatewayKey.KEY).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(badCursor.statusCode()).isEqualTo(400);
		assertThat(badCursor.body()).contains("invalid_cursor");
		HttpResponse<String> providerKey = this.http.send(request("/console/api/session", "sk-a-provider-key").build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(providerKey.statusCode()).isEqualTo(401);
		assertThat(providerKey.body()).contains("gateway_key_required");
	}

	@Test
	void pagesTheListNewestFirstWithoutOverlap() throws Exception {
		List<String> created = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			created.add(create(1));
			// The index orders by the millisecond of creation.
			Thread.sleep(2);
		}
		List<String> listed = new ArrayList<>();
		String cursor = null;
		do {
			JsonNode page = get("/console/api/batches?limit=2" + ((cursor != null) ? "&after=" + cursor : ""),
					GatewayKey.KEY);
			assertThat(page.path("data").size()).isBetween(1, 2);
			page.path("data").forEach((entry) -> listed.add(entry.path("id").asString()));
			cursor = page.path("has_more").asBoolean() ? page.path("next_cursor").asString() : null;
		}
		while (cursor != null);
		assertThat(listed).doesNotHaveDuplicates();
		assertThat(listed.subList(0, 3)).as("the three just created, newest first")
			.containsExactly(created.get(2), created.get(1), created.get(0));
	}

	private String create(int requests) throws Exception {
		List<String> lines = new ArrayList<>();
		for (int i = 1; i <= requests; i++) {
			lines.add(
					"{\"custom_id\":\"q-%02d\",\"params\":{\"messages\":[{\"role\":\"user\",\"content\":\"question %d\"}]}}"
						.formatted(i, i));
		}
		String body = "{\"model\":\"sandbox/echo-1\",\"endpoint\":\"/v1/chat/completions\",\"requests\":["
				+ String.join(",", lines) + "]}";
		HttpResponse<String> created = this.http
			.send(request("/v1/batches", GatewayKey.KEY).header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(body))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
		return this.mapper.readTree(created.body()).path("id").asString();
	}

	private JsonNode retrieve(String id) throws Exception {
		return get("/v1/batches/" + id + "?provider=sandbox", GatewayKey.KEY);
	}

	private JsonNode get(String path, String key) throws Exception {
		HttpResponse<String> response = this.http.send(request(path, key).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return this.mapper.readTree(response.body());
	}

	private HttpRequest.Builder request(String path, String key) {
		return HttpRequest.newBuilder(URI.create(base() + path)).header("Authorization", "Bearer " + key);
	}

	private String base() {
		return "http://127.0.0.1:" + this.port;
	}

	private static <T> T waitFor(Function<WebDriver, T> condition) {
		return waitFor(Duration.ofSeconds(15), condition);
	}

	private static <T> T waitFor(Duration timeout, Function<WebDriver, T> condition) {
		WebDriverWait wait = new WebDriverWait(browser, timeout, Duration.ofMillis(200));
		// Pages are redrawn as they update: an element found a moment ago may be gone.
		wait.ignoring(StaleElementReferenceException.class);
		return wait.until(condition::apply);
	}

	private static WebElement visible(By by) {
		List<WebElement> found = browser.findElements(by);
		return (!found.isEmpty() && found.get(0).isDisplayed()) ? found.get(0) : null;
	}

	private static String text(By by) {
		List<WebElement> found = browser.findElements(by);
		return found.isEmpty() ? "" : found.get(0).getText();
	}

	private static WebElement row(String batch) {
		List<WebElement> found = browser.findElements(By.cssSelector("tr[data-batch='" + batch + "']"));
		return found.isEmpty() ? null : found.get(0);
	}

	/** The custom ids of the results shown, once the page holding one of them is. */
	private static List<String> resultsShowing(String customId) {
		List<String> shown = waitFor((page) -> resultIds().contains(customId) ? resultIds() : null);
		return shown;
	}

	@SuppressWarnings("unchecked")
	private static List<String> resultIds() {
		return (List<String>) script("return [...document.querySelectorAll('#result-rows tr[data-custom-id]')]"
				+ ".map((row) => row.dataset.customId);");
	}

	private static Object script(String code) {
		return ((JavascriptExecutor) browser).executeScript(code);
	}

	private static void shot(String name) throws IOException {
		byte[] png = ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES);
		Files.write(SCREENSHOTS.resolve(name + ".png"), png);
	}

}
