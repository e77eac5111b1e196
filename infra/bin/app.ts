/**
 * Entry for the CDK CLI (`cdk.json`): builds the app and synthesizes into the directory the CLI passes in
 * CDK_OUTDIR. Parameters are given with `cdk deploy --parameters Stack:Name=value`.
 */
import { buildApp } from '../lib/app.ts';

buildApp().app.synth();
