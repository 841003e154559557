package dev.switchboard.core;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The tenant a request is served, billed and isolated for.
 *
 * <p>Everything that must not cross tenants (quota buckets, cache namespaces, usage reports) keys
 * on {@link #name()}. A team is resolved once per request by a
 * {@link dev.switchboard.auth.TeamResolver} and never changes afterwards.
 */
public final class Team {

	private final String name;

	private final List<String> allowedModels;

	private final List<Predicate<String>> matchers;

	/**
	 * @param name stable identifier, safe to use as a metric tag and a Redis key segment
	 * @param allowedModels model ids, aliases or {@code provider/model} ids this team may use;
	 * {@code *} is a wildcard ({@code mock/*}); empty means every model of the catalog
	 */
	public Team(String name, List<String> allowedModels) {
		this.name = name;
		this.allowedModels = List.copyOf(allowedModels);
		this.matchers = this.allowedModels.stream().map(Team::matcher).toList();
	}

	public static Team unrestricted(String name) {
		return new Team(name, List.of());
	}

	public String name() {
		return this.name;
	}

	public List<String> allowedModels() {
		return this.allowedModels;
	}

	/** Whether any of the names one model is known by is on this team's allow-list. */
	public boolean mayUse(String... names) {
		if (this.matchers.isEmpty()) {
			return true;
		}
		for (Predicate<String> matcher : this.matchers) {
			for (String candidate : names) {
				if (matcher.test(candidate)) {
					return true;
				}
			}
		}
		return false;
	}

	private static Predicate<String> matcher(String pattern) {
		if (!pattern.contains("*")) {
			return pattern::equals;
		}
		String regex = Arrays.stream(pattern.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*"));
		return Pattern.compile(regex).asMatchPredicate();
	}

	@Override
	public String toString() {
		return "Team{" + this.name + "}";
	}

}
