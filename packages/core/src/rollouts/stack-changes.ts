/**
 * Resource types that hold data: replacing or removing one loses what it holds unless the
 * template keeps it elsewhere. A preview calls these out.
 */
export const STATEFUL_RESOURCE_TYPES: ReadonlySet<string> = new Set([
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::S3::Bucket',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::EFS::FileSystem',
  'AWS::EC2::Volume',
  'AWS::ElastiCache::CacheCluster',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::Elasticsearch::Domain',
  'AWS::OpenSearchService::Domain',
  'AWS::Kinesis::Stream',
  'AWS::SQS::Queue',
  'AWS::Neptune::DBCluster',
  'AWS::DocDB::DBCluster',
  'AWS::Redshift::Cluster',
  'AWS::Logs::LogGroup',
  'AWS::KMS::Key',
  'AWS::SecretsManager::Secret',
  'AWS::Cognito::UserPool',
  'AWS::Backup::BackupVault',
  // The same kinds of resource under their Terraform (AWS provider) names.
  'aws_db_instance',
  'aws_rds_cluster',
  'aws_s3_bucket',
  'aws_dynamodb_table',
  'aws_efs_file_system',
  'aws_ebs_volume',
  'aws_elasticache_cluster',
  'aws_elasticache_replication_group',
  'aws_elasticsearch_domain',
  'aws_opensearch_domain',
  'aws_kinesis_stream',
  'aws_sqs_queue',
  'aws_neptune_cluster',
  'aws_docdb_cluster',
  'aws_redshift_cluster',
  'aws_cloudwatch_log_group',
  'aws_kms_key',
  'aws_secretsmanager_secret',
  'aws_cognito_user_pool',
  'aws_backup_vault',
]);

/** One change of a CloudFormation change set or a terraform plan (the fields a preview needs). */
export interface StackChange {
  action: string;
  logicalResourceId: string;
  physicalResourceId?: string | undefined;
  resourceType: string;
  /** 'True' | 'False' | 'Conditional' (Modify only). */
  replacement?: string | undefined;
}

export interface AssessedStackChanges {
  changes: Array<StackChange & { stateful: boolean; destroysData: boolean }>;
  summary: { adds: number; modifications: number; removals: number; replacements: number };
  /** Stateful resources replaced (or possibly replaced) or removed: their data would be lost. */
  statefulReplacements: string[];
}

/** Flags adds, modifications, replacements and removals, and calls out stateful ones. */
export function assessStackChanges(changes: readonly StackChange[]): AssessedStackChanges {
  const out = changes.map((c) => {
    const stateful = STATEFUL_RESOURCE_TYPES.has(c.resourceType);
    const replaced =
      c.action === 'Modify' && (c.replacement === 'True' || c.replacement === 'Conditional');
    return { ...c, stateful, destroysData: stateful && (replaced || c.action === 'Remove') };
  });
  return {
    changes: out,
    summary: {
      adds: out.filter((c) => c.action === 'Add').length,
      modifications: out.filter((c) => c.action === 'Modify').length,
      removals: out.filter((c) => c.action === 'Remove').length,
      replacements: out.filter(
        (c) =>
          c.action === 'Modify' && (c.replacement === 'True' || c.replacement === 'Conditional'),
      ).length,
    },
    statefulReplacements: out
      .filter((c) => c.destroysData)
      .map(
        (c) =>
          `${c.logicalResourceId} (${c.resourceType}) would be ${c.action === 'Remove' ? 'removed' : c.replacement === 'Conditional' ? 'possibly replaced' : 'replaced'}: its data would be lost`,
      ),
  };
}
