#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { responderApp } from '../lib/config/app';

/** The CDK app: configuration, the stack and cdk-nag live in lib/. */
const app = new App();
responderApp(app);
app.synth();
