package dev.nsjunit.internal.spec;

import java.lang.annotation.Annotation;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * One attribute of one annotation (or one configuration key), so that every validation error names
 * the annotation, the attribute, the value and what is allowed, the same way.
 */
public record Attribute(String owner, String name) {

  public static Attribute of(Class<? extends Annotation> annotation, String name) {
    return new Attribute("@" + annotation.getSimpleName(), name);
  }

  public static Attribute configurationKey(String key) {
    return new Attribute("configuration parameter", key);
  }

  /** The error for a value that is not allowed. */
  public ExtensionConfigurationException invalid(String value, String allowed) {
    String where =
        owner.startsWith("@")
            ? owner + "(" + name + " = \"" + value + "\")"
            : owner + " " + name + "=\"" + value + "\"";
    return new ExtensionConfigurationException(where + " is invalid: allowed is " + allowed);
  }
}
