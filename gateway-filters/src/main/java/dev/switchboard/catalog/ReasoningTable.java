package dev.switchboard.catalog;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * What OpenAI's {@code reasoning_effort} becomes at a provider that sets thinking otherwise: a
 * token budget (Anthropic's {@code thinking.budget_tokens}, Gemini 2.5's
 * {@code thinkingConfig.thinkingBudget}) or a level (Anthropic's adaptive thinking with
 * {@code output_config.effort}, Gemini 3's {@code thinkingLevel}), one entry per effort.
 *
 * <p>Why a table in configuration rather than a fixed formula: providers publish no mapping of
 * their own but for Google's (low, medium and high as 1,024, 8,192 and 24,576 tokens, which the
 * defaults follow, with minimal and xhigh as CLIProxyAPI sets them), and the right budget depends
 * on the model (Gemini 2.5 Pro cannot turn thinking off, Gemini 3 prefers levels, Claude's newest
 * models prefer adaptive thinking). So each provider type has documented defaults
 * ({@link #defaults}), a provider's {@code reasoning} overrides them, and a model's overrides
 * those ({@link #with}): the binder merges the three into each model of the catalog.
 *
 * @param settings one setting per effort, every effort present
 */
public record ReasoningTable(Map<Effort, Setting> settings) {

	/** OpenAI's {@code reasoning_effort} values, least first. */
	public enum Effort {

		NONE, MINIMAL, LOW, MEDIUM, HIGH, XHIGH;

		/** The effort a client wrote; {@code null} when it is none of OpenAI's. */
		public static @Nullable Effort of(String value) {
			for (Effort effort : values()) {
				if (effort.id().equals(value)) {
					return effort;
				}
			}
			return null;
		}

		public String id() {
			return name().toLowerCase(Locale.ROOT);
		}

		/** The values, quoted and listed, for error messages. */
		public static String ids() {
			return String.join(", ", Arrays.stream(values()).map(effort -> "'" + effort.id() + "'").toList());
		}

	}

	/**
	 * One effort's setting: a token budget (0 turns thinking off, {@value #DYNAMIC} leaves its
	 * length to the model) or, when {@code level} is set, a named level.
	 */
	public record Setting(int budget, @Nullable String level) {

		/** Gemini's {@code thinkingBudget: -1}: the model decides how long to think. */
		public static final int DYNAMIC = -1;

		public static final Setting OFF = new Setting(0, null);

		public static Setting budget(int tokens) {
			return new Setting(tokens, null);
		}

		public static Setting level(String level) {
			return new Setting(0, level);
		}

		public boolean off() {
			return this.level == null && this.budget == 0;
		}

		/**
		 * Reads a setting as configuration writes it: {@code off}, {@code dynamic}, a number of
		 * tokens, or a level of the provider type.
		 * @throws IllegalArgumentException with what to write instead
		 */
		public static Setting parse(String value, ProviderType type) {
			String text = value.trim().toLowerCase(Locale.ROOT);
			if (text.equals("off") || text.equals("0")) {
				return OFF;
			}
			if (text.equals("dynamic")) {
				return budget(DYNAMIC);
			}
			if (!text.isEmpty() && text.chars().allMatch(Character::isDigit)) {
				long tokens = Long.parseLong(text.length() > 10 ? "99999999999" : text);
				if (tokens > 1_000_000) {
					throw new IllegalArgumentException("'" + value + "' is more tokens than any model thinks; use at "
							+ "most 1000000");
				}
				if (type == ProviderType.ANTHROPIC && tokens < ANTHROPIC_MIN_BUDGET) {
					throw new IllegalArgumentException("'" + value + "' is below Anthropic's minimum thinking budget of "
							+ ANTHROPIC_MIN_BUDGET + " tokens; use at least " + ANTHROPIC_MIN_BUDGET + " or off");
				}
				return budget((int) tokens);
			}
			Set<String> levels = levels(type);
			if (levels.contains(text)) {
				return level(text);
			}
			throw new IllegalArgumentException("'" + value + "' is not a thinking setting; use off, dynamic, a number "
					+ "of tokens" + (levels.isEmpty() ? "" : " or a level " + levels.stream().sorted().toList()));
		}

		@Override
		public String toString() {
			if (this.level != null) {
				return this.level;
			}
			return (this.budget == 0) ? "off" : (this.budget == DYNAMIC) ? "dynamic" : Integer.toString(this.budget);
		}

	}

	/** Anthropic refuses {@code budget_tokens} below this. */
	public static final int ANTHROPIC_MIN_BUDGET = 1024;

	/** The budgets every default table shares, after Google's published mapping. */
	private static final List<Setting> BUDGETS = List.of(Setting.OFF, Setting.budget(512), Setting.budget(1024),
			Setting.budget(8192), Setting.budget(24576), Setting.budget(32768));

	public ReasoningTable {
		settings = Map.copyOf(settings);
		if (!settings.keySet().containsAll(List.of(Effort.values()))) {
			throw new IllegalArgumentException("a reasoning table needs a setting for every effort: " + settings);
		}
	}

	/**
	 * The documented defaults: every effort as the budgets above, Anthropic's minimal raised to its
	 * minimum of 1,024 and Gemini's xhigh kept to 24,576, the most every Gemini 2.5 model takes.
	 * Other provider types take {@code reasoning_effort} as it is and have no table of their own.
	 */
	public static ReasoningTable defaults(ProviderType type) {
		Map<Effort, Setting> settings = new EnumMap<>(Effort.class);
		for (Effort effort : Effort.values()) {
			settings.put(effort, BUDGETS.get(effort.ordinal()));
		}
		if (type == ProviderType.ANTHROPIC) {
			settings.put(Effort.MINIMAL, Setting.budget(ANTHROPIC_MIN_BUDGET));
		}
		if (type == ProviderType.GEMINI) {
			settings.put(Effort.XHIGH, Setting.budget(24576));
		}
		return new ReasoningTable(settings);
	}

	/**
	 * This table with some efforts set otherwise, as configuration writes them ({@code high: 16000},
	 * {@code xhigh: max}).
	 * @throws IllegalArgumentException naming the effort or the value to fix
	 */
	public ReasoningTable with(Map<String, String> overrides, ProviderType type) {
		if (overrides.isEmpty()) {
			return this;
		}
		Map<Effort, Setting> settings = new EnumMap<>(this.settings);
		overrides.forEach((name, value) -> {
			Effort effort = Effort.of(name.trim().toLowerCase(Locale.ROOT));
			if (effort == null) {
				throw new IllegalArgumentException(name + ": not a reasoning effort; use one of " + Effort.ids());
			}
			try {
				settings.put(effort, Setting.parse(value, type));
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException(effort.id() + ": " + ex.getMessage(), ex);
			}
		});
		return new ReasoningTable(settings);
	}

	public Setting setting(Effort effort) {
		return this.settings.get(effort);
	}

	/** The levels a provider type names: Anthropic's {@code output_config.effort}, Gemini 3's {@code thinkingLevel}. */
	public static Set<String> levels(ProviderType type) {
		return switch (type) {
			case ANTHROPIC -> Set.of("low", "medium", "high", "max");
			case GEMINI -> Set.of("minimal", "low", "medium", "high");
			default -> Set.of();
		};
	}

}
