import type { ModelOperation, ModelShape } from './model-types.js';

/**
 * Events (Nucleon20261127.*, ADR 0023): subscriptions to EventBridge-shaped status-change events,
 * delivered to signed webhooks (`url`) or to an EventBridge bus (`eventBus`), and the record of
 * their deliveries; and the version currency report.
 */
export const eventShapes: Readonly<Record<string, ModelShape>> = {
  NucleonEventSubscriptionId: { type: 'string', min: 1, max: 64 },
  NucleonUrl: { type: 'string', min: 1, max: 2048 },
  NucleonEventSubscription: {
    type: 'structure',
    required: ['id', 'createdAt'],
    members: {
      id: { shape: 'NucleonEventSubscriptionId' },
      /** A webhook subscription's URL. */
      url: { shape: 'NucleonUrl' },
      /** An EventBridge subscription's bus (name or ARN), its region, and the events' source. */
      eventBus: { shape: 'NucleonEventBus' },
      eventBusRegion: { shape: 'NucleonString' },
      source: { shape: 'NucleonString' },
      detailTypes: { shape: 'NucleonNameList' },
      description: { shape: 'NucleonText' },
      /** Only in CreateEventSubscription's answer: the HMAC key, shown once. */
      secret: { shape: 'NucleonSecret' },
      createdAt: { shape: 'Timestamp' },
    },
  },
  NucleonEventSubscriptionList: { type: 'list', member: 'NucleonEventSubscription' },
  NucleonEventBus: { type: 'string', min: 1, max: 1600 },
  CreateEventSubscriptionInput: {
    type: 'structure',
    members: {
      /** Either url (a signed webhook) or eventBus (EventBridge PutEvents). */
      url: { shape: 'NucleonUrl' },
      secret: { shape: 'NucleonSecret' },
      eventBus: { shape: 'NucleonEventBus' },
      eventBusRegion: { shape: 'NucleonString' },
      source: { shape: 'NucleonString' },
      detailTypes: { shape: 'NucleonNameList' },
      description: { shape: 'NucleonText' },
    },
  },
  EventSubscriptionOutput: {
    type: 'structure',
    required: ['subscription'],
    members: { subscription: { shape: 'NucleonEventSubscription' } },
  },
  ListEventSubscriptionsInput: { type: 'structure', members: {} },
  ListEventSubscriptionsOutput: {
    type: 'structure',
    required: ['subscriptions'],
    members: { subscriptions: { shape: 'NucleonEventSubscriptionList' } },
  },
  DeleteEventSubscriptionInput: {
    type: 'structure',
    required: ['id'],
    members: { id: { shape: 'NucleonEventSubscriptionId' } },
  },
  DeleteEventSubscriptionOutput: { type: 'structure', members: {} },
  NucleonEventDeliveryStatus: { type: 'string', enum: ['PENDING', 'DELIVERED', 'FAILED'] },
  NucleonEventDelivery: {
    type: 'structure',
    required: [
      'eventId',
      'subscriptionId',
      'detailType',
      'resourceArn',
      'time',
      'status',
      'attempts',
    ],
    members: {
      eventId: { shape: 'NucleonString' },
      subscriptionId: { shape: 'NucleonEventSubscriptionId' },
      detailType: { shape: 'NucleonString' },
      resourceArn: { shape: 'NucleonString' },
      time: { shape: 'Timestamp' },
      status: { shape: 'NucleonEventDeliveryStatus' },
      attempts: { shape: 'NucleonInteger' },
      lastError: { shape: 'NucleonString' },
      deliveredAt: { shape: 'Timestamp' },
    },
  },
  NucleonEventDeliveryList: { type: 'list', member: 'NucleonEventDelivery' },
  ListEventDeliveriesInput: {
    type: 'structure',
    members: {
      subscriptionId: { shape: 'NucleonEventSubscriptionId' },
      maxResults: { shape: 'NucleonInteger' },
    },
  },
  ListEventDeliveriesOutput: {
    type: 'structure',
    required: ['deliveries'],
    members: { deliveries: { shape: 'NucleonEventDeliveryList' } },
  },
  NucleonVersionCurrency: {
    type: 'structure',
    required: [
      'templateKind',
      'templateName',
      'resourceKind',
      'version',
      'count',
      'behind',
      'minorsBehind',
      'majorsBehind',
    ],
    members: {
      templateKind: { shape: 'NucleonString' },
      templateName: { shape: 'NucleonString' },
      resourceKind: { shape: 'NucleonString' },
      version: { shape: 'NucleonString' },
      count: { shape: 'NucleonInteger' },
      recommendedVersion: { shape: 'NucleonString' },
      behind: { shape: 'NucleonString' },
      minorsBehind: { shape: 'NucleonInteger' },
      majorsBehind: { shape: 'NucleonInteger' },
      behindSince: { shape: 'Timestamp' },
    },
  },
  NucleonVersionCurrencyList: { type: 'list', member: 'NucleonVersionCurrency' },
  GetVersionCurrencyInput: {
    type: 'structure',
    members: { templateName: { shape: 'ResourceName' } },
  },
  GetVersionCurrencyOutput: {
    type: 'structure',
    required: ['versions'],
    members: { versions: { shape: 'NucleonVersionCurrencyList' } },
  },
};

const errors = [
  'ValidationException',
  'ConflictException',
  'AccessDeniedException',
  'ResourceNotFoundException',
  'InternalServerException',
];

export const eventOperations = {
  CreateEventSubscription: {
    input: 'CreateEventSubscriptionInput',
    output: 'EventSubscriptionOutput',
    errors,
    idempotent: false,
  },
  ListEventSubscriptions: {
    input: 'ListEventSubscriptionsInput',
    output: 'ListEventSubscriptionsOutput',
    errors,
    idempotent: false,
  },
  DeleteEventSubscription: {
    input: 'DeleteEventSubscriptionInput',
    output: 'DeleteEventSubscriptionOutput',
    errors,
    idempotent: true,
  },
  GetVersionCurrency: {
    input: 'GetVersionCurrencyInput',
    output: 'GetVersionCurrencyOutput',
    errors,
    idempotent: false,
  },
  ListEventDeliveries: {
    input: 'ListEventDeliveriesInput',
    output: 'ListEventDeliveriesOutput',
    errors,
    idempotent: false,
  },
} as const satisfies Record<string, ModelOperation>;
