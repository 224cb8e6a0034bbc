import { z } from 'zod';

/**
 * Queue names, job ids and job data schemas: the one place producers and workers agree on.
 * Job ids are derived from outbox rows so that publishing a row twice adds one job (BullMQ ignores an
 * add whose jobId exists). BullMQ refuses integer and ':'-containing custom ids, hence the prefixes.
 */
export const QUEUES = {
  notifications: 'notifications',
  /**
   * admin broadcast rows (recipient_psid NULL), each fanned out into one notifications row per admin. Apart
   * from notifications because that queue's limiter (SEND_API_RATE_PER_SECOND) counts jobs: a fan-out there
   * took a slot of the Send API's budget and sent nothing. Same job ids and processor as notifications.
   */
  fanOut: 'notification-fanout',
  fulfillment: 'fulfillment',
  reservationExpiry: 'reservation-expiry',
  maintenance: 'maintenance',
  liveHolds: 'live-holds',
  /** payment proof downloads (src/media) */
  media: 'media',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export const QUEUE_NAMES: QueueName[] = Object.values(QUEUES);

export const jobIds = {
  notification: (rowId: number) => `n-${rowId}`,
  fulfillment: (rowId: number) => `p-${rowId}`,
  /** one expiry job per order, however often its row is published */
  expiry: (orderId: number) => `expire-${orderId}`,
};

const rowId = z.number().int().positive();

export const notificationJobSchema = z.object({ notificationId: rowId });
export type NotificationJob = z.infer<typeof notificationJobSchema>;

export const orderWorkJobSchema = z.object({ rowId, orderId: rowId });
export type OrderWorkJob = z.infer<typeof orderWorkJobSchema>;

/** Scheduled maintenance tasks on the maintenance queue (job scheduler ids = task names). */
export const MAINTENANCE_TASKS = ['outbox-relay', 'expiry-sweep', 'expire-stale-reservations', 'purge-old-rows', 'daily-summary'] as const;
export type MaintenanceTask = (typeof MAINTENANCE_TASKS)[number];
export const maintenanceJobSchema = z.object({ task: z.enum(MAINTENANCE_TASKS) });

/** order_processing_queue.queue_type → the BullMQ queue that runs it. */
export const PROCESSING_QUEUE_FOR: Record<string, QueueName | undefined> = {
  fulfillment: QUEUES.fulfillment,
  reservation_expiry: QUEUES.reservationExpiry,
  proof_download: QUEUES.media,
};
