/** The S3 SDK pieces the store uses, by name, so a bundle keeps only these (s3-store.ts loads this lazily). */
export { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
