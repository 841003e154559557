package dev.switchboard.guard;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Checks;
import dev.switchboard.core.GatewayRefusal;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.Operation;
import dev.switchboard.guard.regex.RegexGuardrail;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.testing.TestCatalogs;

import static dev.switchboard.testing.Fixtures.FAKE_OPENAI_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Answers under the guard, without HTTP: which texts a check sees (every choice, reasoning, tool
 * call arguments), what a stream holds back and releases, and how placeholders come back when a
 * chunk boundary cuts them.
 */
class GuardAnswerTest {

	private final List<List<String>> seen = new ArrayList<>();

	@Test
	void aCheckSeesEveryTextOfTheAnswerAndItsRewriteLandsWhereItWasRead() {
		GuardService guard = service(Map.of("pii", post(new RegexGuardrail("pii", List.of(), List.of("email"), Map.of()),
				GuardedRail.WHOLE_ANSWER), "sees", post(recording(), GuardedRail.WHOLE_ANSWER)));
		String completion = """
				{"id":"c","object":"chat.completion","choices":[
				 {"index":0,"message":{"role":"assistant","content":"Mail a@example.com","reasoning_content":"b@example.com",
				  "tool_calls":[{"id":"t","type":"function","function":{"name":"send","arguments":"{\\"to\\":\\"c@example.com\\"}"}}]}},
				 {"index":1,"message":{"role":"assistant","content":"none here"}}]}""";

		LlmExchange exchange = chat();
		exchange.put(Checks.class, new Checks());
		LlmResponse checked = guard.checkAnswer(exchange, List.of("pii", "sees"),
				LlmResponse.json(200, completion.getBytes(), null), name -> {
				})
			.block(Duration.ofSeconds(5));

		assertThat(this.seen).containsExactly(List.of("Mail [EMAIL]", "[EMAIL]", "{\"to\":\"[EMAIL]\"}", "none here"));
		JsonNode answer = Json.MAPPER.readTree(checked.json());
		assertThat(answer.path("choices").get(0).path("message").path("tool_calls").get(0).path("function")
			.path("arguments").asString()).isEqualTo("{\"to\":\"[EMAIL]\"}");
		assertThat(answer.toString()).doesNotContain("@example.com");
		assertThat(exchange.get(Checks.class).all()).extracting(c -> c.name() + ":" + c.stage() + ":" + c.outcome())
			.as("for the request log").containsExactly("pii:post:masked", "sees:post:allowed");
	}

	@Test
	void aStreamHeldToTheEndIsReleasedMaskedWithItsEventsInOrder() {
		GuardService guard = service(Map.of("pii",
				post(new RegexGuardrail("pii", List.of(), List.of("email"), Map.of()), GuardedRail.WHOLE_ANSWER)));
		List<SseEvent> events = stream(guard, chunks("Write to ", "ann.l", "ee@exa", "mple.com", " now"));

		assertThat(text(events)).isEqualTo("Write to [EMAIL] now");
		assertThat(events.get(events.size() - 1).isDone()).isTrue();
		assertThat(events).as("one event for each the provider sent, in order").hasSize(7);
	}

	@Test
	void aMaskRewritesOnlyTheChunksItTouches() {
		GuardService guard = service(Map.of("pii",
				post(new RegexGuardrail("pii", List.of(), List.of("email"), Map.of()), GuardedRail.WHOLE_ANSWER)));
		List<SseEvent> sent = chunks("Hello, ", "write to a", "nn@exampl", "e.com or b@x.io", " soon", ".");
		List<SseEvent> events = stream(guard, sent);

		assertThat(text(events)).isEqualTo("Hello, write to [EMAIL] or [EMAIL] soon.");
		assertThat(events.get(0).data()).as("before the first address: as it came").isEqualTo(sent.get(0).data());
		assertThat(events.get(4).data()).as("after the last one: as it came").isEqualTo(sent.get(4).data());
		assertThat(events.get(5).data()).isEqualTo(sent.get(5).data());
		assertThat(List.of(content(events.get(1)), content(events.get(2)), content(events.get(3))))
			.as("each mask in the chunk its value began in").containsExactly("write to [EMAIL]", "", " or [EMAIL]");
	}

	@Test
	void aRewriteThatOnlyRemovesOrAddsTextLandsInTheChunkItChanges() {
		List<SseEvent> removed = stream(service(Map.of("r", post(rewriting(text -> text.replace(" um,", "")),
				GuardedRail.WHOLE_ANSWER))), chunks("So", " um, the", " answer"));
		assertThat(text(removed)).isEqualTo("So the answer");
		assertThat(List.of(content(removed.get(0)), content(removed.get(1)), content(removed.get(2))))
			.containsExactly("So", " the", " answer");

		List<SseEvent> added = stream(service(Map.of("r", post(rewriting(text -> text + " (checked)"),
				GuardedRail.WHOLE_ANSWER))), chunks("So", " the", " answer"));
		assertThat(List.of(content(added.get(0)), content(added.get(1)), content(added.get(2))))
			.containsExactly("So", " the", " answer (checked)");
	}

	@Test
	void anInsertionAtAChunkBoundaryOrAtTheStartIsKept() {
		List<SseEvent> between = stream(service(Map.of("r", post(rewriting(text -> text.replace("So the", "So, well, the")),
				GuardedRail.WHOLE_ANSWER))), chunks("So", " the", " answer"));
		assertThat(text(between)).isEqualTo("So, well, the answer");
		assertThat(List.of(content(between.get(0)), content(between.get(1)), content(between.get(2))))
			.containsExactly("So", ", well, the", " answer");

		List<SseEvent> first = stream(service(Map.of("r", post(rewriting(text -> "Note: " + text),
				GuardedRail.WHOLE_ANSWER))), chunks("So", " the", " answer"));
		assertThat(text(first)).isEqualTo("Note: So the answer");
		assertThat(content(first.get(0))).isEqualTo("Note: So");

		// In windows of two characters: the insertion comes at the start of the second window.
		List<SseEvent> windowed = stream(service(Map.of("r", post(rewriting(text -> text.replace("So the", "So, well, the")),
				2))), chunks("So", " the", " answer"));
		assertThat(text(windowed)).isEqualTo("So, well, the answer");
	}

	@Test
	void aRewrittenCharacterGoesOutWholeInOneChunk() {
		List<SseEvent> events = stream(service(Map.of("r", post(rewriting(text -> text.replace("\uD83D\uDE00", "\uD83D\uDE03")),
				GuardedRail.WHOLE_ANSWER))), chunks("Hi \uD83D", "\uDE00 there"));
		assertThat(text(events)).isEqualTo("Hi \uD83D\uDE03 there");

		List<SseEvent> whole = stream(service(Map.of("r", post(rewriting(text -> text.replace("\uD83D\uDE00", "\uD83D\uDE03")),
				GuardedRail.WHOLE_ANSWER))), chunks("Hi \uD83D\uDE00", " there"));
		assertThat(text(whole)).isEqualTo("Hi \uD83D\uDE03 there");
		for (SseEvent event : events.subList(0, events.size() - 1)) {
			assertThat(content(event).chars().filter(c -> Character.isSurrogate((char) c)).count() % 2)
				.as("whole characters in each chunk: %s", content(event)).isZero();
		}
	}

	@Test
	void theLastCheckIsCompleteEvenWhenTheLastTextFilledAWindowAndWhatItAddsStillGoesOut() {
		List<Boolean> complete = new ArrayList<>();
		Guardrail signs = answering("signs", answer -> {
			complete.add(answer.complete());
			return answer.complete()
					? GuardVerdict.rewrite(answer.texts().stream().map(text -> text + " [checked]").toList(), "signed")
					: GuardVerdict.allow();
		});
		// Windows of one character: "hello" and " world" each fill one, the end comes with no text of its own.
		List<SseEvent> events = stream(service(Map.of("signs", post(signs, 1))), chunks("hello", " world"));
		assertThat(complete).containsExactly(false, false, true);
		assertThat(text(events)).isEqualTo("hello world [checked]");
		assertThat(events.get(events.size() - 1).isDone()).isTrue();

		// A stream without a finish chunk: what the end adds gets a chunk of its own, before [DONE].
		complete.clear();
		List<SseEvent> bare = new ArrayList<>(chunks("hello", " world"));
		bare.remove(bare.size() - 2);
		List<SseEvent> out = stream(service(Map.of("signs", post(signs, 1))), bare);
		assertThat(complete).containsExactly(false, false, true);
		assertThat(text(out)).isEqualTo("hello world [checked]");
		assertThat(out).hasSize(4);
		assertThat(Json.tree(out.get(2)).path("id").asString()).as("like the stream's own chunks").isEqualTo("c");
		assertThat(out.get(3).isDone()).isTrue();

		// With usage after the finish (as the Anthropic door always asks): the added text goes out
		// with the finish, never after it.
		complete.clear();
		List<SseEvent> withUsage = new ArrayList<>(chunks("hello", " world"));
		withUsage.add(withUsage.size() - 1, Json.event(Json.MAPPER.readTree(
				"{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"total_tokens\":3}}")));
		List<SseEvent> usageLast = stream(service(Map.of("signs", post(signs, 1))), withUsage);
		assertThat(text(usageLast)).isEqualTo("hello world [checked]");
		JsonNode finishing = Json.tree(usageLast.get(2)).path("choices").path(0);
		assertThat(finishing.path("finish_reason").asString()).isEqualTo("stop");
		assertThat(finishing.path("delta").path("content").asString()).isEqualTo(" [checked]");

		// A deny on the end alone ends the stream with the refusal, after the windows it let go.
		Guardrail deniesAtTheEnd = answering("end",
				answer -> answer.complete() ? GuardVerdict.deny("not as a whole") : GuardVerdict.allow());
		GuardService guard = service(Map.of("end", post(deniesAtTheEnd, 1)));
		List<SseEvent> released = new ArrayList<>();
		assertThatExceptionOfType(GatewayRefusal.class).isThrownBy(() -> guard
			.checkAnswer(chat(), List.of("end"), LlmResponse.stream(Flux.fromIterable(chunks("hello", " world")), null),
					name -> {
					})
			.block(Duration.ofSeconds(5))
			.events()
			.doOnNext(released::add)
			.blockLast(Duration.ofSeconds(5)));
		assertThat(text(released)).isEqualTo("hello world");
		assertThat(released).noneMatch(SseEvent::isDone);
	}

	@Test
	void windowedChecksSeeAWindowOfContextNotTheWholeAnswerSoFar() {
		long[] sent = new long[2];
		for (int run = 0; run < 2; run++) {
			this.seen.clear();
			String[] pieces = new String[(run == 0) ? 100 : 400];
			java.util.Arrays.fill(pieces, "abcd");
			List<SseEvent> events = stream(service(Map.of("sees", post(recording(), 8))), chunks(pieces));

			assertThat(text(events)).hasSize(pieces.length * 4);
			int longest = this.seen.stream().mapToInt(texts -> texts.get(0).length()).max().orElse(0);
			// No space in this text: the context goes back to the start of its word, within two windows.
			assertThat(longest).as("two windows of context at most, the half window carried over, the new window")
				.isLessThanOrEqualTo(2 * 8 + 4 + 8);
			sent[run] = this.seen.stream().mapToLong(texts -> texts.get(0).length()).sum();
			assertThat(this.seen.get(this.seen.size() - 1).get(0)).endsWith("abcd");
		}
		assertThat(sent[1]).as("four times the answer, about four times the text sent to the guardrails")
			.isBetween(sent[0] * 7 / 2, sent[0] * 9 / 2);
	}

	@Test
	void aMatchCutByAWindowsEndIsMaskedWhileNoneOfItHasLeft() {
		GuardService guard = service(Map.of("pii",
				post(new RegexGuardrail("pii", List.of(), List.of("email"), Map.of()), 16)));
		List<SseEvent> events = stream(guard, chunks("Please write to", " ann.l", "ee@exa", "mple.com", " today, thanks."));

		assertThat(text(events)).isEqualTo("Please write to [EMAIL] today, thanks.");
		assertThat(events).extracting(SseEvent::dataAsString).noneMatch(data -> data.contains("ann.l"));
	}

	@Test
	void aValueWhoseFirstPartIsAlreadyAMatchIsMaskedWholeWhereverAWindowCutsIt() {
		// An API key, a phone number and an address whose first part is a match of its own: a
		// window's end cutting them must not mask the part and let the rest out with the next.
		String answer = "Here it is: " + FAKE_OPENAI_KEY + " ok. Call +44 20 7946 0958 12 "
				+ "or mail ann.lee@mail.example.co.uk, then card 4111 1111 1111 1111 and b@x.io b@y.io c@z.io done.";
		RegexGuardrail pii = new RegexGuardrail("pii", List.of(), List.of("email", "phone", "api-key", "card", "iban"),
				Map.of());
		String whole = text(stream(service(Map.of("pii", post(pii, GuardedRail.WHOLE_ANSWER))), chunks(answer)));
		assertThat(whole).doesNotContain("sk-", "7946", "ann.lee", "4111").contains("[API-KEY]", "[PHONE]", "[EMAIL]");
		assertWindowsMaskAsTheWholeAnswer(pii, answer, new int[] { 90, 100, 128, 200 }, new int[] { 1, 3, 4, 7, 16 });
	}

	@Test
	void aValueWhoseWordsAlsoComeAfterItIsMaskedWhole() {
		RegexGuardrail pii = new RegexGuardrail("pii", List.of(), List.of("email", "phone", "api-key", "card", "iban"),
				Map.of());
		// The card's groups of four repeat after it; the phone's last group follows it again.
		assertWindowsMaskAsTheWholeAnswer(pii,
				"Card 4111 1111 1111 1111 1111 1111 for ann@x.io, and then some more text to close the window.",
				new int[] { 60, 64, 80 }, new int[] { 1, 3, 4, 7 });
		assertWindowsMaskAsTheWholeAnswer(pii,
				"+44 20 7946 0958 42 ann@example.com bo.b@mail.example.co.uk 42 \n c@d.io the a . the call , v1.2.3 is +44",
				new int[] { 80, 96 }, new int[] { 1, 2, 5 });
		// The same masks from a guardrail that gives only its new texts: each window's changes are
		// then taken as one, from the first difference to the last, and still never cut.
		Guardrail textOnly = answering("text-only", answer -> {
			GuardVerdict verdict = pii.checkAnswer(answer).block(Duration.ofSeconds(5));
			return (verdict.outcome() == GuardVerdict.Outcome.REWRITE)
					? GuardVerdict.rewrite(verdict.texts(), verdict.reason()) : verdict;
		});
		assertWindowsMaskAsTheWholeAnswer(textOnly,
				"Card 4111 1111 1111 1111 1111 1111 for ann@x.io, and then some more text to close the window.",
				new int[] { 60, 80 }, new int[] { 1, 4 });
	}

	@Test
	void theContextOfACheckBeginsAtAWordSoNoTailOfANumberIsTakenForAValue() {
		RegexGuardrail pii = new RegexGuardrail("pii", List.of(), List.of("email", "phone", "api-key", "card", "iban"),
				Map.of());
		// 15 digits of the tracking number pass a card's Luhn check; as the start of a context,
		// they would be masked in text already sent, and the stream refused.
		assertWindowsMaskAsTheWholeAnswer(pii, "Your parcel is on its way. The USPS tracking number is "
				+ "9400111899223344556677 and it should arrive on Friday; thanks for waiting so patiently.",
				new int[] { 41, 99 }, new int[] { 1, 7 });
		// A card number after an IBAN's digits: found in the whole answer too (a refused match is
		// tried again one character on), so the windows agree with it.
		String transfer = "Transfer to GB82 WEST 1234 5698 7654 32 4111 1111 1111 1111 is the card number, thanks.";
		assertThat(text(stream(service(Map.of("pii", post(pii, GuardedRail.WHOLE_ANSWER))), chunks(transfer))))
			.doesNotContain("4111", "GB82");
		assertWindowsMaskAsTheWholeAnswer(pii, transfer, new int[] { 60, 64 }, new int[] { 1, 2, 3, 4 });
	}

	@Test
	void aValueBesideAMaskIsSeenAsInTheWholeAnswer() {
		RegexGuardrail pii = new RegexGuardrail("pii", List.of(), List.of("email", "phone", "api-key", "card", "iban"),
				Map.of());
		// Seen beside "[PHONE]" (its brackets), the card's digits would begin a match of their own
		// that the whole answer does not make: the context is the text as it came.
		assertWindowsMaskAsTheWholeAnswer(pii, "Call +44 20 7946 0958 4111 1111 1111 1111 and then some more "
				+ "words after it, enough to fill two windows of this size.", new int[] { 75, 90 }, new int[] { 1, 2, 4 });
		assertWindowsMaskAsTheWholeAnswer(pii, "Numbers: 4111111111111111(555) 123-4567 and then some more words "
				+ "after them, enough to fill the windows up.", new int[] { 60, 98 }, new int[] { 1, 3 });
	}

	@Test
	void answersOfValuesAndWordsAreMaskedInWindowsAsWhole() {
		// Values and words side by side, apart or glued, in random windows and chunks: each the
		// whole answer's text (a review's fuzz of such answers found leaks and refusals before).
		RegexGuardrail pii = new RegexGuardrail("pii", List.of(), List.of("email", "phone", "api-key", "card", "iban"),
				Map.of());
		String[] parts = { "ann@example.com", "bo.b@mail.example.co.uk", "+44 20 7946 0958", "(555) 123-4567",
				"4111 1111 1111 1111", "5500005555555559", "GB82 WEST 1234 5698 7654 32",
				FAKE_OPENAI_KEY, "the", "call", "at", "42", "2026-12-07", "v1.2.3", "or", ",", "." };
		java.util.Random random = new java.util.Random(23);
		GuardService whole = service(Map.of("g", post(pii, GuardedRail.WHOLE_ANSWER)));
		for (int round = 0; round < 300; round++) {
			StringBuilder answer = new StringBuilder();
			for (int i = 0, words = 10 + random.nextInt(40); i < words; i++) {
				answer.append(parts[random.nextInt(parts.length)]).append(new String[] { " ", "", "\n", " ", "," }[random.nextInt(5)]);
			}
			String expected = text(stream(whole, chunks(answer.toString())));
			int window = 90 + random.nextInt(70);
			int size = 1 + random.nextInt(7);
			List<SseEvent> events = stream(service(Map.of("g", post(pii, window))), chunks(pieces(answer.toString(), size)));
			assertThat(text(events)).as("%s in windows of %d, chunks of %d", answer, window, size).isEqualTo(expected);
		}
	}

	@Test
	void aContextIsNeverEmptyAfterAChunkLongerThanTheWindowOrAWordLongerThanTwo() {
		RegexGuardrail pii = new RegexGuardrail("pii", List.of(), List.of("email", "phone", "api-key", "card", "iban"),
				Map.of());
		GuardService whole = service(Map.of("g", post(pii, GuardedRail.WHOLE_ANSWER)));
		// A chunk longer than the window, ending in a number the next chunk goes on with.
		List<String> pieces = new ArrayList<>(List.of(
				"Thanks for waiting, here is the summary of your account and reference 12345678901234567890",
				"6 4111 1111 1111 1111 ok, and more words follow here, and then"));
		pieces.addAll(List.of(pieces(" some more words to close the answer.", 3)));
		String answer = String.join("", pieces);
		assertThat(text(stream(service(Map.of("g", post(pii, 60))), chunks(pieces.toArray(new String[0])))))
			.isEqualTo(text(stream(whole, chunks(answer))));
		// A word longer than the window before a card, in chunks of random sizes.
		String glued = "Hello there, ref:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopx 4111 1111 1111 1111DE89370400440532013006 "
				+ "4111 1111 1111 1111 ok, and then a few more words to end it with.";
		String expected = text(stream(whole, chunks(glued)));
		java.util.Random random = new java.util.Random(5);
		for (int run = 0; run < 200; run++) {
			List<String> cut = new ArrayList<>();
			for (int at = 0; at < glued.length();) {
				int next = Math.min(glued.length(), at + 1 + random.nextInt(7));
				cut.add(glued.substring(at, next));
				at = next;
			}
			assertThat(text(stream(service(Map.of("g", post(pii, 38))), chunks(cut.toArray(new String[0])))))
				.as("%s", cut).isEqualTo(expected);
		}
	}

	@Test
	void aTextOnlyRewriteThatTrimsSpacesDoesNotEndTheStream() {
		// The context begins with a word, not the space before it, so a guardrail that trims
		// gives back what was sent.
		String answer = "Hello there, this is an ordinary answer with a good number of words in it, nothing else. ";
		List<SseEvent> out = stream(service(Map.of("r", post(rewriting(String::strip), 24))), chunks(pieces(answer, 3)));
		assertThat(text(out)).isEqualTo(answer.strip());
	}

	/** Every window and chunk size gives the text the whole answer's check gives. */
	private void assertWindowsMaskAsTheWholeAnswer(Guardrail guardrail, String answer, int[] windows, int[] sizes) {
		String whole = text(stream(service(Map.of("g", post(guardrail, GuardedRail.WHOLE_ANSWER))), chunks(answer)));
		for (int window : windows) {
			for (int size : sizes) {
				List<SseEvent> events = stream(service(Map.of("g", post(guardrail, window))), chunks(pieces(answer, size)));
				assertThat(text(events)).as("window %d, chunks of %d", window, size).isEqualTo(whole);
			}
		}
	}

	@Test
	void eachTextKeepsItsOwnHalfWindowHeldBack() {
		// An address in a tool call's arguments, cut by the window's end, while content fills the
		// window's last events: the arguments' own end is held back, not only the last events'.
		GuardService guard = service(Map.of("pii",
				post(new RegexGuardrail("pii", List.of(), List.of("email"), Map.of()), 16)));
		List<SseEvent> events = new ArrayList<>();
		events.add(delta(toolArguments("{\"to\":\"ann.l")));
		events.add(delta(Json.object().put("content", "0123456789")));
		events.add(delta(toolArguments("ee@example.com\"}")));
		events.add(delta(Json.object().put("content", " and more text")));
		events.add(finish());
		events.add(SseEvent.DONE_EVENT);

		List<SseEvent> out = stream(guard, events);

		StringBuilder arguments = new StringBuilder();
		for (SseEvent event : out.subList(0, out.size() - 1)) {
			Json.tree(event).path("choices").path(0).path("delta").path("tool_calls")
				.forEach(call -> arguments.append(call.path("function").path("arguments").asString("")));
		}
		assertThat(arguments.toString()).isEqualTo("{\"to\":\"[EMAIL]\"}");
		assertThat(out).extracting(SseEvent::dataAsString).noneMatch(data -> data.contains("ann.l"));
		assertThat(text(out)).isEqualTo("0123456789 and more text");
	}

	@Test
	void masksCloseTogetherAreEachHeldBackWholeAndWhatIsHeldStaysBounded() {
		RegexGuardrail pii = new RegexGuardrail("pii", List.of(), List.of("email"), Map.of());
		// Addresses whose chunks they share with the next (u1@...com u2@...): no cut between two
		// of them leaves both whole, so the run is held until it ends; then the windows go on.
		StringBuilder run = new StringBuilder();
		for (int i = 0; i < 9; i++) {
			run.append("u").append(i).append("@example.com ");
		}
		String clean = "and then a long clean stretch of text, with no address in it at all, to go on with. ";
		String answer = run + clean.repeat(4) + run;
		GuardService guard = service(Map.of("pii", post(pii, 32), "sees", post(recording(), 32)));
		List<List<SseEvent>> released = new ArrayList<>();
		guard.checkAnswer(chat(), List.of("pii", "sees"), LlmResponse.stream(Flux.fromIterable(chunks(pieces(answer, 4))),
				null), name -> {
				})
			.block(Duration.ofSeconds(5))
			.events()
			.collectList()
			.doOnNext(released::add)
			.block(Duration.ofSeconds(5));

		String masked = "[EMAIL] ".repeat(9);
		assertThat(text(released.get(0))).isEqualTo(masked + clean.repeat(4) + masked);
		int longest = this.seen.stream().mapToInt(texts -> texts.get(0).length()).max().orElse(0);
		assertThat(longest).as("the run held whole, but not the answer").isLessThan(answer.length() / 2);
		assertThat(this.seen.stream().filter(texts -> texts.get(0).length() <= 32 + 64 + 4).count())
			.as("in the clean stretch, a window of context, what is carried and the new window").isGreaterThan(4);
	}

	@Test
	void aListOfMasksEachInItsOwnChunksIsCutBetweenThem() {
		List<String> pieces = new ArrayList<>();
		pieces.add("Addresses:");
		for (int i = 0; i < 400; i++) {
			pieces.add(" ");
			pieces.add("user" + i + "@example.com");
		}
		RegexGuardrail pii = new RegexGuardrail("pii", List.of(), List.of("email"), Map.of());
		GuardService guard = service(Map.of("pii", post(pii, 32), "sees", post(recording(), 32)));
		List<SseEvent> out = guard
			.checkAnswer(chat(), List.of("pii", "sees"),
					LlmResponse.stream(Flux.fromIterable(chunks(pieces.toArray(new String[0]))), null), name -> {
					})
			.block(Duration.ofSeconds(5))
			.events()
			.collectList()
			.block(Duration.ofSeconds(5));

		assertThat(text(out)).isEqualTo("Addresses:" + " [EMAIL]".repeat(400));
		assertThat(this.seen.stream().mapToInt(texts -> texts.get(0).length()).max().orElse(0))
			.as("a window of context, what is carried and the new window, never the list")
			.isLessThanOrEqualTo(32 + 64 + 32);
	}

	@Test
	void choicesStreamedSideBySideEachKeepTheirOwnHalfWindow() {
		RegexGuardrail pii = new RegexGuardrail("pii", List.of(), List.of("email"), Map.of());
		String value = "ann.lee.example.person@example.com";
		for (int offset = 0; offset < 60; offset += 7) {
			String answer = "x".repeat(offset) + " write to " + value + " today, and then a good deal more text to close.";
			String[] pieces = pieces(answer, 4);
			List<SseEvent> events = new ArrayList<>();
			for (String piece : pieces) {
				for (int choice = 0; choice < 8; choice++) {
					ObjectNode chunk = Json.object().put("id", "c").put("object", "chat.completion.chunk");
					chunk.putArray("choices").addObject().put("index", choice).putNull("finish_reason").putObject("delta")
						.put("content", (choice == 0) ? piece : "....");
					events.add(Json.event(chunk));
				}
			}
			events.add(SseEvent.DONE_EVENT);

			List<SseEvent> out = stream(service(Map.of("pii", post(pii, 100))), events);

			StringBuilder first = new StringBuilder();
			for (SseEvent event : out) {
				if (!event.isDone() && Json.tree(event).path("choices").path(0).path("index").asInt() == 0) {
					first.append(Json.tree(event).path("choices").path(0).path("delta").path("content").asString(""));
				}
			}
			assertThat(first.toString()).as("offset %d", offset).isEqualTo(answer.replace(value, "[EMAIL]"));
		}
	}

	@Test
	void aTextOnlyRewriteThatChangesEveryWindowEndsUpHoldingTheRestNotCheckingItOverAndOver() {
		RegexGuardrail pii = new RegexGuardrail("pii", List.of(), List.of("email"), Map.of());
		Guardrail textOnly = answering("text-only", answer -> {
			GuardVerdict verdict = pii.checkAnswer(answer).block(Duration.ofSeconds(5));
			return (verdict.outcome() == GuardVerdict.Outcome.REWRITE)
					? GuardVerdict.rewrite(verdict.texts(), verdict.reason()) : verdict;
		});
		StringBuilder answer = new StringBuilder();
		for (int i = 0; answer.length() < 32_000; i++) {
			answer.append("Words here, mail u").append(i).append("@example.com then. ");
		}
		GuardService guard = service(Map.of("text-only", post(textOnly, 100), "sees", post(recording(), 100)));
		List<SseEvent> out = guard
			.checkAnswer(chat(), List.of("text-only", "sees"),
					LlmResponse.stream(Flux.fromIterable(chunks(pieces(answer.toString(), 4))), null), name -> {
					})
			.block(Duration.ofSeconds(10))
			.events()
			.collectList()
			.block(Duration.ofSeconds(10));

		assertThat(text(out)).isEqualTo(answer.toString().replaceAll("u\\d+@example\\.com", "[EMAIL]"));
		long sent = this.seen.stream().mapToLong(texts -> texts.get(0).length()).sum();
		assertThat(sent).as("text sent to the guardrails, against the answer's length").isLessThan(10L * answer.length());
	}

	@Test
	void editsThatDoNotMakeTheRewrittenTextAreNotTrusted() {
		// A guardrail of one's own whose edits say nothing changed while its texts are masked.
		Guardrail wrongEdits = answering("wrong", answer -> new GuardVerdict(GuardVerdict.Outcome.REWRITE, "masked",
				answer.texts().stream().map(text -> text.replace("secret", "[X]")).toList(), Map.of(),
				answer.texts().stream().map(text -> List.<GuardVerdict.Edit>of()).toList()));
		for (int window : new int[] { GuardedRail.WHOLE_ANSWER, 12 }) {
			List<SseEvent> out = stream(service(Map.of("wrong", post(wrongEdits, window))),
					chunks("the sec", "ret is here, ", "and so on for a while"));
			assertThat(text(out)).as("window %d", window).isEqualTo("the [X] is here, and so on for a while");
		}
	}

	@Test
	void aWordLongerThanTwoWindowsIsCheckedFromWhereTheWindowCutsItAndTheStreamGoesOn() {
		// "risk-assessment-..." holds "sk-" and twenty letters after it: seen from the cut, without
		// the start of its word, it may look like an API key. It is then masked in what is held,
		// never a refusal of what was sent.
		RegexGuardrail keys = new RegexGuardrail("keys", List.of(), List.of("api-key"), Map.of());
		String answer = "See https://example.org/guides/risk-assessment-frameworks-and-operational-resilience-for-"
				+ "teams-and-their-platforms/chapter-2 for more.";
		for (int window = 32; window <= 48; window += 4) {
			for (int size : new int[] { 1, 3, 4 }) {
				List<SseEvent> out = stream(service(Map.of("keys", post(keys, window))), chunks(pieces(answer, size)));
				assertThat(out.get(out.size() - 1).isDone()).as("window %d, chunks of %d", window, size).isTrue();
				assertThat(text(out)).startsWith("See https://example.org/guides/").endsWith("chapter-2 for more.");
			}
		}
	}

	@Test
	void aChoiceGivenTwiceInOneChunkIsWrittenOnce() {
		GuardService guard = service(Map.of("pii",
				post(new RegexGuardrail("pii", List.of(), List.of("email"), Map.of()), GuardedRail.WHOLE_ANSWER)));
		List<SseEvent> events = new ArrayList<>(chunks("Hi"));
		events.add(1, SseEvent.data(("{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" mail a@exa\"}},"
				+ "{\"index\":0,\"delta\":{\"content\":\"mple.com now\"}}]}").getBytes()));
		for (int window : new int[] { GuardedRail.WHOLE_ANSWER, 6 }) {
			List<SseEvent> out = stream(service(Map.of("pii",
					post(new RegexGuardrail("pii", List.of(), List.of("email"), Map.of()), window))), events);
			assertThat(text(out)).as("window %d", window).isEqualTo("Hi mail [EMAIL] now");
		}

		String completion = """
				{"choices":[{"index":0,"message":{"role":"assistant","content":"a@example.com here"}},
				 {"index":0,"message":{"role":"assistant","content":" and b@example.com"}}]}""";
		LlmResponse checked = guard.checkAnswer(chat(), List.of("pii"), LlmResponse.json(200, completion.getBytes(), null),
				name -> {
				})
			.block(Duration.ofSeconds(5));
		JsonNode choices = Json.MAPPER.readTree(checked.json()).path("choices");
		assertThat(choices.get(0).path("message").path("content").asString() + choices.get(1).path("message")
			.path("content").asString()).isEqualTo("[EMAIL] here and [EMAIL]");

		List<SseEvent> restored = Restoration.restore(chat(), Map.of("[EMAIL_1]", "ann@example.com"),
				LlmResponse.stream(Flux.fromIterable(List.of(SseEvent.data(("{\"choices\":[{\"index\":0,\"delta\":"
						+ "{\"content\":\"To [EMAIL_1]\"}},{\"index\":0,\"delta\":{\"content\":\" and [EMAIL_1].\"}}]}")
					.getBytes()), SseEvent.DONE_EVENT)), null))
			.events()
			.collectList()
			.block(Duration.ofSeconds(5));
		assertThat(text(restored)).isEqualTo("To ann@example.com and ann@example.com.");
	}

	@Test
	void textTheLastCheckAddsNeverReplacesAMalformedChunksChoices() {
		Guardrail signs = answering("signs", answer -> answer.complete()
				? GuardVerdict.rewrite(answer.texts().stream().map(text -> text + " [checked]").toList(), "signed")
				: GuardVerdict.allow());
		List<SseEvent> events = new ArrayList<>(chunks("hello"));
		events.remove(events.size() - 2); // no finish
		SseEvent odd = SseEvent.data("{\"choices\":{\"0\":1}}".getBytes());
		events.add(events.size() - 1, odd);

		// Windows of one character: "hello" fills one, and the end's check adds text to no piece.
		List<SseEvent> out = stream(service(Map.of("signs", post(signs, 1))), events);

		assertThat(text(out)).isEqualTo("hello [checked]");
		assertThat(out).extracting(SseEvent::dataAsString).contains(odd.dataAsString());
	}

	@Test
	void signedThinkingIsCheckedOnceAndAChangedBlockLosesItsSignature() {
		GuardService guard = service(Map.of("pii", post(new RegexGuardrail("pii", List.of(), List.of("email"), Map.of()),
				GuardedRail.WHOLE_ANSWER), "sees", post(recording(), GuardedRail.WHOLE_ANSWER)));
		String completion = """
				{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant",
				 "content":"Done.","reasoning_content":"Ask a@example.com first.Then answer.",
				 "thinking_blocks":[{"type":"thinking","thinking":"Ask a@example.com first.","signature":"sig-1"},
				  {"type":"redacted_thinking","data":"opaque"},
				  {"type":"thinking","thinking":"Then answer.","signature":"sig-2"}]}}]}""";

		LlmResponse checked = guard.checkAnswer(chat(), List.of("pii", "sees"),
				LlmResponse.json(200, completion.getBytes(), null), name -> {
				})
			.block(Duration.ofSeconds(5));

		assertThat(this.seen).as("each block once, reasoning_content not again")
			.containsExactly(List.of("Done.", "Ask [EMAIL] first.", "Then answer."));
		JsonNode message = Json.MAPPER.readTree(checked.json()).path("choices").get(0).path("message");
		assertThat(message.path("reasoning_content").asString()).isEqualTo("Ask [EMAIL] first.Then answer.");
		JsonNode blocks = message.path("thinking_blocks");
		assertThat(blocks.get(0).path("thinking").asString()).isEqualTo("Ask [EMAIL] first.");
		assertThat(blocks.get(0).path("signature").asString()).as("no longer what the model signed").isEmpty();
		assertThat(blocks.get(1).path("data").asString()).isEqualTo("opaque");
		assertThat(blocks.get(2).path("signature").asString()).as("unchanged: still signed").isEqualTo("sig-2");
		assertThat(message.toString()).doesNotContain("a@example.com");
	}

	@Test
	void aStreamsThinkingIsMaskedAndTheBlockItChangedEndsUnsigned() {
		GuardService guard = service(Map.of("pii",
				post(new RegexGuardrail("pii", List.of(), List.of("email"), Map.of()), GuardedRail.WHOLE_ANSWER)));
		List<SseEvent> events = stream(guard, List.of(delta(Json.object().put("reasoning_content", "Mail a@ex")),
				delta(Json.object().put("reasoning_content", "ample.com now.")), delta(signature("sig-1")),
				delta(Json.object().put("reasoning_content", "Clean.")), delta(signature("sig-2")),
				delta(Json.object().put("content", "Done.")), SseEvent.DONE_EVENT));

		StringBuilder thinking = new StringBuilder();
		List<String> signatures = new ArrayList<>();
		for (SseEvent event : events.subList(0, events.size() - 1)) {
			JsonNode delta = Json.tree(event).path("choices").path(0).path("delta");
			thinking.append(delta.path("reasoning_content").asString(""));
			delta.path("thinking_blocks").forEach(block -> signatures.add(block.path("signature").asString()));
		}
		assertThat(thinking.toString()).isEqualTo("Mail [EMAIL] now.Clean.");
		assertThat(signatures).as("the changed block unsigned, the next one as signed").containsExactly("", "sig-2");
	}

	@Test
	void restoredValuesAreEscapedInToolCallArgumentsAndThinkingKeepsItsPlaceholders() {
		String value = "x\", \"admin\": true, \"y\": \"\\";
		String completion = """
				{"choices":[{"index":0,"message":{"role":"assistant","content":"Sent to [EMAIL_1].",
				 "reasoning_content":"The user is [EMAIL_1].",
				 "tool_calls":[{"id":"t","type":"function","function":{"name":"send","arguments":"{\\"to\\":\\"[EMAIL_1]\\"}"}}]}}]}""";

		LlmResponse restored = Restoration.restore(chat(), Map.of("[EMAIL_1]", value),
				LlmResponse.json(200, completion.getBytes(), null));

		JsonNode message = Json.MAPPER.readTree(restored.json()).path("choices").get(0).path("message");
		assertThat(message.path("content").asString()).isEqualTo("Sent to " + value + ".");
		JsonNode arguments = Json.MAPPER.readTree(
				message.path("tool_calls").get(0).path("function").path("arguments").asString());
		assertThat(arguments.path("to").asString()).isEqualTo(value);
		assertThat(arguments.has("admin")).as("a value is a value, never JSON of its own").isFalse();
		assertThat(message.path("reasoning_content").asString()).isEqualTo("The user is [EMAIL_1].");

		// The same on a stream, the arguments cut across chunks.
		List<SseEvent> events = Restoration.restore(chat(), Map.of("[EMAIL_1]", value), LlmResponse.stream(Flux.just(
				delta(toolArguments("{\"to\":\"[EMA")), delta(toolArguments("IL_1]\"}")), finish(), SseEvent.DONE_EVENT),
				null))
			.events()
			.collectList()
			.block(Duration.ofSeconds(5));
		StringBuilder streamed = new StringBuilder();
		for (SseEvent event : events.subList(0, events.size() - 1)) {
			Json.tree(event).path("choices").path(0).path("delta").path("tool_calls")
				.forEach(call -> streamed.append(call.path("function").path("arguments").asString("")));
		}
		assertThat(Json.MAPPER.readTree(streamed.toString()).path("to").asString()).isEqualTo(value);
	}

	@Test
	void aMalformedChunkFromTheProviderIsReleasedAsItCameWithoutBreakingTheStream() {
		GuardService guard = service(Map.of("pii",
				post(new RegexGuardrail("pii", List.of(), List.of("email"), Map.of()), GuardedRail.WHOLE_ANSWER)));
		List<SseEvent> events = new ArrayList<>(chunks("Mail a@example.com", " now"));
		events.add(0, SseEvent.data("{\"choices\":{\"0\":{\"delta\":{\"content\":\"odd\"}}}}".getBytes()));
		events.add(1, SseEvent.data("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":{\"a\":1},\"thinking_blocks\":7}}]}"
			.getBytes()));
		events.add(2, SseEvent.data("not json".getBytes()));

		List<SseEvent> out = stream(guard, events);

		assertThat(text(out.subList(3, out.size()))).isEqualTo("Mail [EMAIL] now");
		assertThat(out.get(2).dataAsString()).isEqualTo("not json");
	}

	private static Guardrail rewriting(java.util.function.UnaryOperator<String> rewrite) {
		return answering("r", answer -> GuardVerdict.rewrite(answer.texts().stream().map(rewrite).toList(), "rewritten"));
	}

	/** A guardrail named {@code name} whose answer checks give {@code verdict}. */
	private static Guardrail answering(String name, java.util.function.Function<GuardAnswer, GuardVerdict> verdict) {
		return new Guardrail() {
			@Override
			public String name() {
				return name;
			}

			@Override
			public Mono<GuardVerdict> checkAnswer(GuardAnswer answer) {
				return Mono.just(verdict.apply(answer));
			}
		};
	}

	@Test
	void aWindowReleasesOnlyCheckedTextAndARefusalEndsTheRest() {
		GuardService guard = service(Map.of("no-atlas",
				post(new RegexGuardrail("no-atlas", List.of("atlas"), List.of(), Map.of("atlas", "(?i)project atlas")), 10)));
		List<SseEvent> released = new ArrayList<>();

		assertThatExceptionOfType(GatewayRefusal.class)
			.isThrownBy(() -> guard
				.checkAnswer(chat(), List.of("no-atlas"), LlmResponse.stream(Flux.fromIterable(
						chunks("A first clean window. ", "Then project", " atlas appears", " and more")), null), name -> {
						})
				.block(Duration.ofSeconds(5))
				.events()
				.doOnNext(released::add)
				.blockLast(Duration.ofSeconds(5)))
			.satisfies(ex -> assertThat(ex.code()).isEqualTo("content_policy_violation"));
		assertThat(text(released))
			.as("each window left once checked; the end of the second, held back, is refused with the third")
			.isEqualTo("A first clean window. ");
	}

	@Test
	void aRewriteOfTextAlreadySentRefusesTheRest() {
		Guardrail rewritesBack = new Guardrail() {
			@Override
			public String name() {
				return "reword";
			}

			@Override
			public Mono<GuardVerdict> checkAnswer(GuardAnswer answer) {
				List<String> texts = answer.texts();
				return texts.get(0).contains("world")
						? Mono.just(GuardVerdict.rewrite(List.of(texts.get(0).replace("hello", "bye")), "reworded"))
						: Mono.just(GuardVerdict.allow());
			}
		};
		GuardService guard = service(Map.of("reword", post(rewritesBack, 5)));
		List<SseEvent> released = new ArrayList<>();

		assertThatExceptionOfType(GatewayRefusal.class).isThrownBy(() -> guard
			.checkAnswer(chat(), List.of("reword"),
					LlmResponse.stream(Flux.fromIterable(chunks("hello", " there", " world")), null),
					name -> {
					})
			.block(Duration.ofSeconds(5))
			.events()
			.doOnNext(released::add)
			.blockLast(Duration.ofSeconds(5)));
		assertThat(text(released)).as("the first window, as it was checked").isEqualTo("hello");
	}

	@Test
	void placeholdersCutByChunksAreRestoredAndHeldTextLeavesWithTheFinish() {
		LlmExchange exchange = chat();
		Map<String, String> placeholders = Map.of("[EMAIL_1]", "ann@example.com", "[EMAIL_2]", "bob@example.org");
		List<SseEvent> events = Restoration.restore(exchange, placeholders,
				LlmResponse.stream(Flux.fromIterable(chunks("To [EM", "AIL_1] and [", "EMAIL_2", "] [not one] [EMAIL_")),
						null))
			.events()
			.collectList()
			.block(Duration.ofSeconds(5));

		assertThat(text(events)).isEqualTo("To ann@example.com and bob@example.org [not one] [EMAIL_");
		assertThat(events.get(events.size() - 1).isDone()).isTrue();
	}

	@Test
	void placeholdersInToolCallArgumentsAreRestoredInAWholeAnswer() {
		String completion = """
				{"choices":[{"index":0,"message":{"role":"assistant","content":"Sent to [EMAIL_1].",
				 "tool_calls":[{"id":"t","type":"function","function":{"name":"send","arguments":"{\\"to\\":\\"[EMAIL_1]\\"}"}}]}}]}""";

		LlmResponse restored = Restoration.restore(chat(), Map.of("[EMAIL_1]", "ann@example.com"),
				LlmResponse.json(200, completion.getBytes(), null));

		JsonNode message = Json.MAPPER.readTree(restored.json()).path("choices").get(0).path("message");
		assertThat(message.path("content").asString()).isEqualTo("Sent to ann@example.com.");
		assertThat(message.path("tool_calls").get(0).path("function").path("arguments").asString())
			.isEqualTo("{\"to\":\"ann@example.com\"}");
	}

	@Test
	void reversibleMasksNumberEachValueOnceAcrossTexts() {
		GuardVerdict verdict = new RegexGuardrail("pii", List.of(), List.of("email"), Map.of(), true)
			.checkRequest(new GuardRequest(List.of("a@example.com and b@example.com", "again a@example.com"), "t", "m"))
			.block(Duration.ofSeconds(5));

		assertThat(verdict.texts()).containsExactly("[EMAIL_1] and [EMAIL_2]", "again [EMAIL_1]");
		assertThat(verdict.restore()).containsOnly(Map.entry("[EMAIL_1]", "a@example.com"),
				Map.entry("[EMAIL_2]", "b@example.com"));
	}

	@Test
	void errorAnswersAndEmbeddingsAreNotChecked() {
		GuardService guard = service(Map.of("sees", post(recording(), GuardedRail.WHOLE_ANSWER)));
		LlmResponse error = LlmResponse.json(429, "{\"error\":{\"message\":\"slow down\"}}".getBytes(), null);

		assertThat(guard.checkAnswer(chat(), List.of("sees"), error, name -> {
		}).block(Duration.ofSeconds(5))).isSameAs(error);
		assertThat(this.seen).isEmpty();
	}

	// ---- helpers

	private static GuardService service(Map<String, GuardedRail> rails) {
		return new GuardService(rails, GuardMetrics.NONE);
	}

	private static GuardedRail post(Guardrail guardrail, int window) {
		return new GuardedRail(guardrail, Duration.ofSeconds(1), true, Set.of(Stage.POST), Set.of(), Set.of(), window);
	}

	private Guardrail recording() {
		return new Guardrail() {
			@Override
			public String name() {
				return "sees";
			}

			@Override
			public Mono<GuardVerdict> checkAnswer(GuardAnswer answer) {
				GuardAnswerTest.this.seen.add(answer.texts());
				return Mono.just(GuardVerdict.allow());
			}
		};
	}

	private static List<SseEvent> stream(GuardService guard, List<SseEvent> events) {
		return guard.checkAnswer(chat(), List.of(guard.names().get(0)), LlmResponse.stream(Flux.fromIterable(events), null),
				name -> {
				})
			.block(Duration.ofSeconds(5))
			.events()
			.collectList()
			.block(Duration.ofSeconds(5));
	}

	/** Content chunks, a finish chunk and {@code [DONE]}. */
	private static List<SseEvent> chunks(String... texts) {
		List<SseEvent> events = new ArrayList<>();
		for (String text : texts) {
			ObjectNode chunk = Json.object().put("id", "c").put("object", "chat.completion.chunk");
			chunk.putArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta")
				.put("content", text);
			events.add(Json.event(chunk));
		}
		ObjectNode finish = Json.object().put("id", "c").put("object", "chat.completion.chunk");
		finish.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop").putObject("delta");
		events.add(Json.event(finish));
		events.add(SseEvent.DONE_EVENT);
		return events;
	}

	/** {@code text} cut into pieces of {@code size} characters. */
	private static String[] pieces(String text, int size) {
		List<String> pieces = new ArrayList<>();
		for (int at = 0; at < text.length(); at += size) {
			pieces.add(text.substring(at, Math.min(text.length(), at + size)));
		}
		return pieces.toArray(new String[0]);
	}

	/** A chunk of choice 0 with {@code delta}. */
	private static SseEvent delta(ObjectNode delta) {
		ObjectNode chunk = Json.object().put("id", "c").put("object", "chat.completion.chunk");
		chunk.putArray("choices").addObject().put("index", 0).putNull("finish_reason").set("delta", delta);
		return Json.event(chunk);
	}

	private static SseEvent finish() {
		ObjectNode chunk = Json.object().put("id", "c").put("object", "chat.completion.chunk");
		chunk.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop").putObject("delta");
		return Json.event(chunk);
	}

	private static ObjectNode signature(String signature) {
		ObjectNode delta = Json.object();
		delta.putArray("thinking_blocks").addObject().put("type", "thinking").put("signature", signature);
		return delta;
	}

	private static ObjectNode toolArguments(String arguments) {
		ObjectNode delta = Json.object();
		delta.putArray("tool_calls").addObject().put("index", 0).putObject("function").put("arguments", arguments);
		return delta;
	}

	private static String content(SseEvent event) {
		return Json.tree(event).path("choices").path(0).path("delta").path("content").asString();
	}

	private static String text(List<SseEvent> events) {
		StringBuilder text = new StringBuilder();
		for (SseEvent event : events) {
			if (!event.isDone()) {
				Json.tree(event).path("choices").forEach(c -> text.append(c.path("delta").path("content").asString("")));
			}
		}
		return text.toString();
	}

	private static LlmExchange chat() {
		ObjectNode body = Json.object().put("model", "gpt-test");
		body.putArray("messages").addObject().put("role", "user").put("content", "hi");
		return TestCatalogs.exchange(TestCatalogs.catalog(URI.create("http://127.0.0.1:1/v1")), Operation.CHAT,
				body.toString());
	}

}
