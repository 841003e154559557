package dev.switchboard.core;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TeamTest {

	@Test
	void emptyAllowListAllowsEverything() {
		assertThat(Team.unrestricted("a").mayUse("anything", "openai/gpt-4o")).isTrue();
	}

	@Test
	void exactNamesAndWildcards() {
		Team team = new Team("a", List.of("fast", "openai/*", "*-mini"));
		assertThat(team.mayUse("fast")).isTrue();
		assertThat(team.mayUse("openai/gpt-4o")).isTrue();
		assertThat(team.mayUse("gpt-4o-mini")).isTrue();
		assertThat(team.mayUse("anthropic/claude", "claude")).isFalse();
		assertThat(team.mayUse("fastest")).as("no implicit prefix match").isFalse();
		assertThat(team.mayUse("xopenai/gpt")).as("wildcards anchor at both ends").isFalse();
	}

	@Test
	void regexCharactersInNamesAreLiteral() {
		Team team = new Team("a", List.of("gpt-4.1*"));
		assertThat(team.mayUse("gpt-4.1-mini")).isTrue();
		assertThat(team.mayUse("gpt-4x1-mini")).isFalse();
	}

}
