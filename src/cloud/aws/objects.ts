import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ObjectInfo, ObjectStorePort } from '../ports.js';
import { CloudError } from '../ports.js';
import { allPages, call } from './common.js';

export interface S3StoreOptions {
  /** ListObjectsV2 MaxKeys (S3 caps it at 1000); smaller only to exercise paging. */
  pageSize?: number;
}

/**
 * ObjectStorePort over S3. Objects are written private: no ACL is sent unless
 * a caller opts in with publicRead (the recipes' public-read uploads are
 * exactly what DESIGN.md rules out by default).
 */
export function createS3ObjectStore(client: S3Client, options: S3StoreOptions = {}): ObjectStorePort {
  const pageSize = Math.min(1000, Math.max(1, options.pageSize ?? 1000));
  return {
    async getObject(bucket, key, opts = {}) {
      return call(`GetObject s3://${bucket}/${key}`, async () => {
        const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: opts.signal });
        if (!res.Body) throw new CloudError('EmptyBody', `GetObject s3://${bucket}/${key}: response had no body`);
        return Buffer.from(await res.Body.transformToByteArray());
      });
    },

    async putObject(bucket, key, body, opts = {}) {
      await call(`PutObject s3://${bucket}/${key}`, () =>
        client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: typeof body === 'string' ? Buffer.from(body) : body,
            ContentType: opts.contentType,
            CacheControl: opts.cacheControl,
            ContentMD5: opts.contentMd5,
            // Only on an explicit opt-in (webcam.publicRead): private is the default.
            ...(opts.publicRead ? { ACL: 'public-read' as const } : {}),
          }),
          { abortSignal: opts.signal },
        ),
      );
    },

    async deleteObject(bucket, key, opts = {}) {
      await call(`DeleteObject s3://${bucket}/${key}`, () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: opts.signal }));
    },

    listObjects(bucket, prefix, opts = {}) {
      return allPages<ObjectInfo>(async (token) => {
        const res = await call(`ListObjectsV2 s3://${bucket}/${prefix ?? ''}`, () =>
          client.send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, MaxKeys: pageSize, ContinuationToken: token }),
            { abortSignal: opts.signal },
          ),
        );
        const items = (res.Contents ?? []).map(
          (o): ObjectInfo => ({ key: o.Key ?? '', size: o.Size ?? 0, lastModified: o.LastModified }),
        );
        return { items, next: res.IsTruncated ? res.NextContinuationToken : undefined };
      }, opts);
    },
  };
}
