package dev.switchboard.guard;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The texts of a request body that guardrails read and may rewrite, found the same way in every
 * shape the gateway carries (the canonical chat body, Anthropic's Messages body, OpenAI's
 * Responses body, an embeddings input): string values named {@code content}, {@code text},
 * {@code system}, {@code input}, {@code instructions}, {@code arguments} or {@code output}, at
 * any depth below the top-level fields that hold a conversation. Signed thinking is never among
 * them: a changed thinking block is one its provider refuses. One walk both reads and writes, so
 * a rewrite's texts land where they were read.
 */
public final class GuardTexts {

	/** Top-level fields that hold what a person or a tool wrote. */
	private static final Set<String> ROOTS = Set.of("messages", "system", "input", "instructions", "prompt");

	/** Fields whose string value is a text, wherever they appear below a root. */
	private static final Set<String> TEXTS = Set.of("content", "text", "system", "input", "instructions", "arguments",
			"output", "prompt");

	/** Blocks whose text is signed or opaque and must reach the provider as it was written. */
	private static final Set<String> UNTOUCHED_BLOCKS = Set.of("thinking", "redacted_thinking", "reasoning");

	private GuardTexts() {
	}

	public static List<String> read(JsonNode body) {
		List<String> texts = new ArrayList<>();
		walk(body, text -> {
			texts.add(text);
			return text;
		});
		return texts;
	}

	/** Writes {@code texts} (as {@link #read} returned them, changed) back into {@code body}. */
	public static void write(ObjectNode body, List<String> texts) {
		Iterator<String> next = texts.iterator();
		walk(body, text -> next.hasNext() ? next.next() : text);
		if (next.hasNext()) {
			throw new IllegalArgumentException("more texts than the body holds");
		}
	}

	private static void walk(JsonNode body, UnaryOperator<String> visit) {
		if (!(body instanceof ObjectNode object)) {
			return;
		}
		for (String root : new ArrayList<>(object.propertyNames())) {
			if (ROOTS.contains(root)) {
				JsonNode value = object.get(root);
				if (value.isString()) {
					object.put(root, visit.apply(value.stringValue()));
				}
				else {
					descend(value, visit);
				}
			}
		}
	}

	private static void descend(JsonNode node, UnaryOperator<String> visit) {
		if (node instanceof ArrayNode array) {
			for (JsonNode item : array) {
				descend(item, visit);
			}
		}
		else if (node instanceof ObjectNode object) {
			if (UNTOUCHED_BLOCKS.contains(object.path("type").asString(""))) {
				return;
			}
			for (String field : new ArrayList<>(object.propertyNames())) {
				JsonNode value = object.get(field);
				if (value.isString() && TEXTS.contains(field)) {
					object.put(field, visit.apply(value.stringValue()));
				}
				else if ((value.isObject() || value.isArray()) && !field.equals("thinking_blocks")) {
					descend(value, visit);
				}
			}
		}
	}

}
