package dev.switchboard.catalog;

import java.util.Objects;

/**
 * A credential that cannot leak through {@code toString()}, logs, actuator output or exceptions.
 *
 * <p>The only way to the clear value is {@link #reveal()}, used where the gateway writes the
 * provider request header.
 */
public final class Secret {

	private final String value;

	private Secret(String value) {
		this.value = value;
	}

	public static Secret of(String value) {
		return new Secret(Objects.requireNonNull(value, "value"));
	}

	public String reveal() {
		return this.value;
	}

	public boolean isEmpty() {
		return this.value.isBlank();
	}

	@Override
	public String toString() {
		return "******";
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof Secret other && other.value.equals(this.value);
	}

	@Override
	public int hashCode() {
		return this.value.hashCode();
	}

}
