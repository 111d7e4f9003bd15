package dev.ferry.files;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ApiError;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One model per batch: the caller's or the first a request names; a request naming
 * another, a body that is no object, and a batch with no request or no model are refused,
 * each naming where.
 */
class CheckedRequestsTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	@Test
	void takesTheFirstModelNamedAndRefusesASecond() {
		CheckedRequests checked = CheckedRequests.start(null)
			.add(request("a", "{\"model\":\"m1\"}", 1), "p")
			.add(request("b", "{}", 2), "p");
		assertThat(checked.count()).isEqualTo(2);
		assertThat(checked.requireModel("p")).isEqualTo("m1");
		assertThatThrownBy(() -> checked.add(request("c", "{\"model\":\"m2\"}", 3), "p")).isInstanceOf(ApiError.class)
			.hasMessageContaining("input file line 3 (custom_id 'c'): model 'm2' differs from the batch's model 'm1'")
			.hasMessageContaining("provider 'p' runs one model per batch");
	}

	@Test
	void refusesABodyThatIsNoObjectAndABatchWithoutRequestsOrModel() {
		assertThatThrownBy(() -> CheckedRequests.start("m").add(request("a", "[1]", 4), "p"))
			.hasMessageContaining("input file line 4: body is not a JSON object");
		assertThatThrownBy(() -> CheckedRequests.start("m").requireRequests("p"))
			.hasMessageContaining("the batch has no requests");
		assertThatThrownBy(() -> CheckedRequests.start(null).add(request("a", "{}", 1), "p").requireModel("p"))
			.hasMessageContaining("no model");
		assertThat(CheckedRequests.start("batch-model").add(request("a", "{}", 1), "p").requireModel("p"))
			.isEqualTo("batch-model");
	}

	private InputRequest request(String customId, String body, int line) {
		return new InputRequest(customId, this.mapper.readTree(body), "input file line " + line, "input_file_id");
	}

}
