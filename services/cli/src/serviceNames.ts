/** The services `chanperf serve --only NAME` may run (serve.ts runs them; commands/serve.ts checks the name). */
export const SERVICES = ['ingestion', 'projection', 'alerting', 'query'] as const;
export type ServiceName = (typeof SERVICES)[number];
