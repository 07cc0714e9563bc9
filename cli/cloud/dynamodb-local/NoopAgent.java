package pipeline.local;

import java.lang.instrument.Instrumentation;

/**
 * Stands in for LocalStack's ddb-local-loader agent (downloaded from a host not reachable here), which
 * only lifts DynamoDB Local's limit of 20 global secondary indexes; the pipeline's tables have fewer.
 * LocalStack always passes -javaagent, so an agent must exist: this one does nothing.
 */
public final class NoopAgent {
    private NoopAgent() {}

    public static void premain(String args, Instrumentation instrumentation) {}
}
