package pipeline.local;

import java.lang.reflect.Field;

/**
 * Starts DynamoDB Local the way its own ServerRunner does, except that its HTTP connector is bound to
 * 127.0.0.1 (system property pipeline.bindHost overrides): DynamoDB Local 2.6.1 has no host option and
 * listens on every interface. Compiled at install time by cli/cloud/localstack.ts; reflection only, so
 * it needs no compile-time class path.
 */
public final class LoopbackServerRunner {
    private LoopbackServerRunner() {}

    public static void main(String[] args) throws Exception {
        String host = System.getProperty("pipeline.bindHost", "127.0.0.1");
        Class<?> runner = Class.forName("com.amazonaws.services.dynamodbv2.local.main.ServerRunner");
        Object proxy = runner.getMethod("createServerFromCommandLineArgs", String[].class)
                .invoke(null, (Object) args);
        if (proxy == null) return;
        Field field = proxy.getClass().getDeclaredField("server");
        field.setAccessible(true);
        Object jetty = field.get(proxy);
        Object[] connectors = (Object[]) jetty.getClass().getMethod("getConnectors").invoke(jetty);
        if (connectors.length == 0) {
            throw new IllegalStateException("DynamoDB Local has no connector to bind to " + host);
        }
        for (Object connector : connectors) {
            connector.getClass().getMethod("setHost", String.class).invoke(connector, host);
        }
        proxy.getClass().getMethod("start").invoke(proxy);
        proxy.getClass().getMethod("join").invoke(proxy);
    }
}
