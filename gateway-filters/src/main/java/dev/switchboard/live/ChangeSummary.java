package dev.switchboard.live;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.switchboard.core.ConfigSnapshot;

/**
 * What changed between two snapshots, section by section, by name only: models, aliases, pools,
 * teams, quotas added, removed or changed. Built from the snapshots' inventories, which hold digests
 * and never a key or key hash, so a summary is safe to log and to show.
 *
 * @param sections each section that changed, in name order
 */
public record ChangeSummary(Map<String, Section> sections) {

	/** @param added names new in this section, @param removed names gone, @param changed names whose settings differ */
	public record Section(List<String> added, List<String> removed, List<String> changed) {
	}

	public ChangeSummary {
		sections = Map.copyOf(sections);
	}

	/** The changes from {@code before} to {@code after}; against nothing, everything is added. */
	public static ChangeSummary between(ConfigSnapshot before, ConfigSnapshot after) {
		Map<String, Section> sections = new LinkedHashMap<>();
		Set<String> names = new TreeSet<>(after.inventory().keySet());
		if (before != null) {
			names.addAll(before.inventory().keySet());
		}
		for (String name : names) {
			Map<String, String> old = (before != null) ? before.inventory().getOrDefault(name, Map.of()) : Map.of();
			Map<String, String> now = after.inventory().getOrDefault(name, Map.of());
			List<String> added = new ArrayList<>();
			List<String> removed = new ArrayList<>();
			List<String> changed = new ArrayList<>();
			now.forEach((item, digest) -> {
				String was = old.get(item);
				if (was == null) {
					added.add(item);
				}
				else if (!was.equals(digest)) {
					changed.add(item);
				}
			});
			old.keySet().stream().filter(item -> !now.containsKey(item)).forEach(removed::add);
			if (!added.isEmpty() || !removed.isEmpty() || !changed.isEmpty()) {
				sections.put(name, new Section(added, removed, changed));
			}
		}
		return new ChangeSummary(sections);
	}

	public boolean isEmpty() {
		return this.sections.isEmpty();
	}

	/** One line: {@code models +gpt-5 -gpt-4 ~gpt-4o; aliases ~fast}, or {@code no routing change}. */
	@Override
	public String toString() {
		if (this.sections.isEmpty()) {
			return "no routing change";
		}
		List<String> parts = new ArrayList<>();
		new TreeSet<>(this.sections.keySet()).forEach(name -> {
			Section section = this.sections.get(name);
			StringBuilder line = new StringBuilder(name);
			section.added().forEach(item -> line.append(" +").append(item));
			section.removed().forEach(item -> line.append(" -").append(item));
			section.changed().forEach(item -> line.append(" ~").append(item));
			parts.add(line.toString());
		});
		return String.join("; ", parts);
	}

}
