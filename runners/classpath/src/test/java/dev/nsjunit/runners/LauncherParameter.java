package dev.nsjunit.runners;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/** Injects a JUnit configuration parameter by name, as the JVM running the test sees it. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
@interface LauncherParameter {
  String value();

  /** Resolves {@link LauncherParameter} parameters through the test's extension context. */
  final class Resolver implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.isAnnotated(LauncherParameter.class);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      String key = parameter.findAnnotation(LauncherParameter.class).orElseThrow().value();
      return context.getConfigurationParameter(key).orElse("(not set)");
    }
  }
}
