package dev.switchboard.autoconfigure;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.alwaysTrue;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter's structure as a test, as {@code LayersTest} is the filters': one package per
 * capability's auto-configuration (with its properties, endpoint and meters), none importing
 * another's; they share the core auto-configuration in the root package and the one Redis client
 * ({@code redis}), and the root knows none of them, so switching one off never breaks another.
 */
class StarterLayersTest {

	private static final JavaClasses CLASSES = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.switchboard.autoconfigure");

	@Test
	void capabilityAutoConfigurationsDoNotImportEachOther() {
		slices().matching("dev.switchboard.autoconfigure.(*)..")
			.should()
			.notDependOnEachOther()
			.ignoreDependency(alwaysTrue(), resideInAPackage("dev.switchboard.autoconfigure.redis.."))
			.because("capabilities are configured on their own, meeting on the core configuration and the shared "
					+ "Redis client")
			.check(CLASSES);
	}

	@Test
	void theCoreAutoConfigurationKnowsNoCapabilitysPackage() {
		assertThat(CLASSES.that(resideInAPackage("dev.switchboard.autoconfigure.(*)..")))
			.as("the rule below looks at the capabilities' classes")
			.anyMatch(type -> type.getName().equals("dev.switchboard.autoconfigure.cache.CacheAutoConfiguration"));
		noClasses().that()
			.resideInAPackage("dev.switchboard.autoconfigure")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("dev.switchboard.autoconfigure.(*)..")
			.because("a capability switched off or left out must leave the core configuration whole")
			.check(CLASSES);
	}

}
