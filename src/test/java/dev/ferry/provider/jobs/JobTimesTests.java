package dev.ferry.provider.jobs;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Timestamps in every form the job-style providers send them.
 */
class JobTimesTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	@Test
	void readsUnixSecondsRfc3339AndBareDates() {
		var node = this.mapper.readTree("""
				{"unix": 1700000000, "rfc": "2023-11-14T22:13:20Z", "offset": "2023-11-14T23:13:20+01:00",
				 "fraction": "2023-11-14T22:13:20.123456Z", "local": "2023-11-14T22:13:20",
				 "date": "2023-11-14", "blank": "", "junk": "soon", "none": null}""");
		assertThat(JobTimes.seconds(node, "unix")).isEqualTo(1_700_000_000L);
		assertThat(JobTimes.seconds(node, "rfc")).isEqualTo(1_700_000_000L);
		assertThat(JobTimes.seconds(node, "offset")).isEqualTo(1_700_000_000L);
		assertThat(JobTimes.seconds(node, "fraction")).isEqualTo(1_700_000_000L);
		assertThat(JobTimes.seconds(node, "local")).isEqualTo(1_700_000_000L);
		assertThat(JobTimes.seconds(node, "date")).as("the start of that day, UTC").isEqualTo(1_699_920_000L);
		assertThat(JobTimes.seconds(node, "blank")).isNull();
		assertThat(JobTimes.seconds(node, "junk")).isNull();
		assertThat(JobTimes.seconds(node, "none")).isNull();
		assertThat(JobTimes.seconds(node, "missing")).isNull();
	}

}
