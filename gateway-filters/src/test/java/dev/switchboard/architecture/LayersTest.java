package dev.switchboard.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package structure as a test: an import that points the wrong way fails the build.
 *
 * <p>Capabilities (the quota, the cache, observability, authentication, guardrails) meet on {@code core}
 * types and small ports, never on each other's classes, so each can be switched off, replaced or
 * moved without touching the others; nothing on the request path imports them, so the path works
 * with all of them off. The endpoint parses, the dispatcher sends; neither knows the other's classes.
 *
 * <p>The layers, bottom up: {@code catalog} (what is configured: models, providers, prices) and
 * {@code sse} (the stream codec) need nothing; {@code core} (the exchange, usage and its bill,
 * errors, header names, route and target types, and the ports {@code AttemptSpans} and
 * {@code Embedder}) builds on them; {@code route} and {@code auth} on {@code core};
 * {@code translate} on those; the capabilities {@code quota}, {@code cache} and {@code observe}
 * beside one another on the same floor; {@code endpoint} and {@code dispatch} (the routing filter,
 * the failover walk, breakers, and the gateway embedder behind the semantic cache's port) at the
 * top. The simulator is another module, which this one does not depend on.
 */
class LayersTest {

	private static final JavaClasses CLASSES = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.switchboard");

	private static final String[] CAPABILITIES = { "quota", "cache", "observe", "auth", "guard" };

	@Test
	void capabilitiesDoNotImportEachOther() {
		for (String capability : CAPABILITIES) {
			for (String other : CAPABILITIES) {
				if (!capability.equals(other)) {
					ArchRule rule = noClasses().that()
						.resideInAPackage("dev.switchboard." + capability + "..")
						.should()
						.dependOnClassesThat()
						.resideInAPackage("dev.switchboard." + other + "..")
						.because("capabilities meet on core types and ports, not on each other's classes");
					rule.check(CLASSES);
				}
			}
		}
	}

	@Test
	void layersPointDownOnly() {
		layeredArchitecture().consideringOnlyDependenciesInLayers()
			.layer("catalog").definedBy("dev.switchboard.catalog..")
			.layer("sse").definedBy("dev.switchboard.sse..")
			.layer("core").definedBy("dev.switchboard.core..")
			.layer("route").definedBy("dev.switchboard.route..", "dev.switchboard.auth..")
			.layer("translate").definedBy("dev.switchboard.translate..")
			.layer("capabilities").definedBy("dev.switchboard.quota..", "dev.switchboard.cache..",
					"dev.switchboard.observe..", "dev.switchboard.guard..")
			.layer("live").definedBy("dev.switchboard.live..")
			.layer("endpoint").definedBy("dev.switchboard.endpoint..")
			.layer("dispatch").definedBy("dev.switchboard.dispatch..")
			.whereLayer("dispatch").mayNotBeAccessedByAnyLayer()
			.whereLayer("endpoint").mayNotBeAccessedByAnyLayer()
			// Versions are swapped from outside (the starter); the request path reads them through core's port.
			.whereLayer("live").mayNotBeAccessedByAnyLayer()
			// The request path works with every capability switched off: nothing imports them.
			.whereLayer("capabilities").mayNotBeAccessedByAnyLayer()
			.whereLayer("translate").mayOnlyBeAccessedByLayers("capabilities", "endpoint", "dispatch")
			.whereLayer("route").mayOnlyBeAccessedByLayers("translate", "capabilities", "endpoint", "dispatch")
			.whereLayer("core").mayOnlyBeAccessedByLayers("route", "translate", "capabilities", "live", "endpoint",
					"dispatch")
			.whereLayer("sse").mayOnlyBeAccessedByLayers("core", "translate", "capabilities", "endpoint", "dispatch")
			.check(CLASSES);
	}

	@Test
	void sseStandsAlone() {
		noClasses().that()
			.resideInAPackage("dev.switchboard.sse..")
			.should()
			.dependOnClassesThat(resideInAPackage("dev.switchboard..").and(not(resideInAPackage("dev.switchboard.sse.."))))
			.because("the SSE codec is a leaf every stream path shares")
			.check(CLASSES);
	}

	@Test
	void theSimulatorIsNotPartOfTheGateway() {
		assertThat(CLASSES.containPackage("dev.switchboard.mock")).as("the simulator lives in mock-provider").isFalse();
	}

	@Test
	void packagesAreFreeOfCycles() {
		slices().matching("dev.switchboard.(*)..").should().beFreeOfCycles().check(CLASSES);
	}

	/**
	 * Inside a capability too: its root holds the policy, the service and the ports
	 * ({@code CacheStore}, {@code SemanticIndex}, {@code QuotaPolicy}), the sub-packages implement
	 * or use them ({@code store}, {@code semantic}, {@code backend}, {@code admission}), and the
	 * filter sits on top where nothing imports it.
	 */
	@Test
	void subPackagesAreFreeOfCyclesToo() {
		slices().matching("dev.switchboard.(**)").should().beFreeOfCycles().check(CLASSES);
	}

	@Test
	void aCapabilityFilterIsItsTop() {
		noClasses().that()
			.resideOutsideOfPackages("dev.switchboard.quota.filter..", "dev.switchboard.cache.filter..",
					"dev.switchboard.guard.filter..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.switchboard.quota.filter..", "dev.switchboard.cache.filter..",
					"dev.switchboard.guard.filter..")
			.because("a filter factory is a thin adapter over its capability's services, which never call back up")
			.check(CLASSES);
	}

}
