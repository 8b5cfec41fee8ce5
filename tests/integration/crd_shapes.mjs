// JSON Schemas of the custom resources the chart renders, written after the CRDs' own
// openAPIV3Schema (Dapr 1.14: components, configurations, resiliencies, subscriptions
// v2alpha1; Strimzi 0.4x: KafkaTopic v1beta2; Prometheus Operator: PodMonitor,
// ServiceMonitor), stricter in one way: unknown fields are errors here (a cluster would
// silently prune them, so a typo would be lost without a word).
const str = { type: 'string' };
const int = { type: 'integer' };
const meta = { type: 'object', required: ['name'], properties: { name: str, namespace: str, labels: { type: 'object' }, annotations: { type: 'object' } } };
const strict = (properties, required = []) => ({ type: 'object', additionalProperties: false, properties, required });
const top = (apiVersion, kind, spec, extra = {}) => strict({ apiVersion: { const: apiVersion }, kind: { const: kind }, metadata: meta, spec, ...extra }, ['apiVersion', 'kind', 'metadata', 'spec']);
const duration = { type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$' };
const scopes = { type: 'array', items: str };

export const SHAPES = {
  'dapr.io/v1alpha1 Component': top('dapr.io/v1alpha1', 'Component', strict({
    type: { type: 'string', pattern: '^[a-z]+\\.[a-z0-9.]+$' },
    version: { type: 'string', pattern: '^v[0-9]+$' },
    initTimeout: str,
    ignoreErrors: { type: 'boolean' },
    metadata: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false, required: ['name'],
        properties: { name: str, value: {}, secretKeyRef: strict({ name: str, key: str }, ['name', 'key']) },
        // a value or a secret, not both
        not: { required: ['value', 'secretKeyRef'] },
      },
    },
  }, ['type', 'version', 'metadata']), { auth: strict({ secretStore: str }, ['secretStore']), scopes }),
  'dapr.io/v1alpha1 Configuration': top('dapr.io/v1alpha1', 'Configuration', strict({
    metric: strict({ enabled: { type: 'boolean' } }, ['enabled']),
    tracing: strict({ samplingRate: { type: 'string', pattern: '^[0-9.]+$' } }),
  })),
  'dapr.io/v1alpha1 Resiliency': top('dapr.io/v1alpha1', 'Resiliency', strict({
    policies: strict({
      timeouts: { type: 'object', additionalProperties: duration },
      retries: { type: 'object', additionalProperties: strict({ policy: { enum: ['constant', 'exponential'] }, duration, maxInterval: duration, maxRetries: int }, ['policy']) },
      circuitBreakers: { type: 'object', additionalProperties: strict({ maxRequests: { type: 'integer', minimum: 1 }, interval: duration, timeout: duration, trip: { type: 'string', pattern: '^consecutiveFailures\\s*(>=|>)\\s*[0-9]+$' } }, ['trip']) },
    }),
    targets: strict({
      components: { type: 'object', additionalProperties: strict({
        outbound: strict({ timeout: str, retry: str, circuitBreaker: str }),
        inbound: strict({ timeout: str, retry: str, circuitBreaker: str }),
      }) },
      apps: { type: 'object' },
      actors: { type: 'object' },
    }),
  }, ['policies', 'targets']), { scopes }),
  'dapr.io/v2alpha1 Subscription': top('dapr.io/v2alpha1', 'Subscription', strict({
    pubsubname: str, topic: str, deadLetterTopic: str, metadata: { type: 'object' },
    routes: strict({ default: str, rules: { type: 'array' } }),
    bulkSubscribe: strict({ enabled: { type: 'boolean' }, maxMessagesCount: int, maxAwaitDurationMs: int }, ['enabled']),
  }, ['pubsubname', 'topic', 'routes']), { scopes }),
  'kafka.strimzi.io/v1beta2 KafkaTopic': top('kafka.strimzi.io/v1beta2', 'KafkaTopic', strict({
    topicName: str,
    partitions: { type: 'integer', minimum: 1 },
    replicas: { type: 'integer', minimum: 1, maximum: 32767 },
    config: { type: 'object', additionalProperties: { type: ['string', 'integer', 'boolean', 'number'] } },
  })),
  'monitoring.coreos.com/v1 PodMonitor': top('monitoring.coreos.com/v1', 'PodMonitor', strict({
    selector: { type: 'object' },
    podTargetLabels: scopes,
    podMetricsEndpoints: { type: 'array', minItems: 1, items: strict({ port: str, path: str, interval: duration }) },
  }, ['selector', 'podMetricsEndpoints'])),
  'monitoring.coreos.com/v1 ServiceMonitor': top('monitoring.coreos.com/v1', 'ServiceMonitor', strict({
    selector: { type: 'object' },
    podTargetLabels: scopes,
    endpoints: { type: 'array', minItems: 1, items: strict({ port: str, path: str, interval: duration }) },
  }, ['selector', 'endpoints'])),
};
