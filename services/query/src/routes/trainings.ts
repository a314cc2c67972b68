/**
 * `GET /v1/channels/:id/trainings`: a channel's trainings and certifications, per month, per
 * trainee, and certified in the last 12 months (the count a tier review uses).
 *
 * The rules live in the domain (`explainTrainings`); this module only reads the channel's
 * TrainingCompleted events through the `ChannelLog` port, up to the read model's position,
 * and answers over HTTP. Counts that disagree with the read model are logged (ids and counts
 * only: trainee ids stay out of the logs).
 */
import {
  explainTrainings,
  type ChannelState,
  type MonthClock,
  type ProjectionState,
  type TrainingsExplanation,
} from '@chanperf/domain';
import type { ChannelLog } from '@chanperf/engine';
import type { App } from '@chanperf/runtime';
import { z } from 'zod';
import { channelIdParam, trainingsSchema } from '../schemas.js';
import { channelRouteOptions, type QueryContext } from './context.js';

export { CERTIFICATION_WINDOW_MONTHS } from '@chanperf/domain';

export interface TrainingsInput {
  readonly state: ProjectionState;
  /** The log position `state` reflects: no event after it is read. */
  readonly position: number;
  readonly channel: ChannelState;
  readonly clock: MonthClock;
  readonly log: ChannelLog;
}

/** The channel's trainings, from its events in `log` up to `position`. */
export function channelTrainings(input: TrainingsInput): TrainingsExplanation {
  const { state, channel, clock, log, position } = input;
  return explainTrainings({
    state,
    channel,
    clock,
    trainings: { [Symbol.iterator]: () => log.trainingEvents(channel.channelId, position) },
  });
}

export function registerTrainingsRoute(app: App, ctx: QueryContext): void {
  app.get(
    '/v1/channels/:id/trainings',
    channelRouteOptions(
      'A channel’s trainings and certifications: per month, per trainee, and certified in the last 12 months',
      z.object({ id: channelIdParam }),
      trainingsSchema,
      {
        description:
          'Read from the TrainingCompleted events in the log up to the read model’s position (x-chanperf-position). ' +
          '`months`: every month of the channel with the trainings completed and how many certified. `trainees`: ' +
          'everyone who completed a course, with the certifications earned (certification, courseId, month, eventId). ' +
          '`certifiedLast12Months`: distinct trainees certified in the 12 months ending with the latest month ' +
          '(M−11 … M), the count a tier review compares with minCertifiedTrainees (spec §4).',
      },
    ),
    async (request, reply) => {
      const { id } = request.params;
      await ctx.channelLogCaughtUp();
      return ctx.withChannel(request, reply, id, ({ state, position, channel }) => {
        const { trainings, consistent } = channelTrainings({
          state,
          position,
          channel,
          clock: ctx.clock,
          log: ctx.channelLog,
        });
        if (!consistent) {
          // Ids and counts only: trainee ids stay out of the logs.
          ctx.log.warn(
            { channelId: id, position },
            'trainings: training counts read from the log differ from the read model',
          );
        }
        return trainings;
      });
    },
  );
}
