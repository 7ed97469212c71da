/**
 * The dns model with every write its effects make checked, as a user's model
 * is (see LayoutOptions.checkWrites): the benchmark runs it through `--model`
 * beside the built-in model, which opts out, to measure what the check
 * costs a user model.
 */
import { defineLayout } from '../checker/state/layout.js';
import type { Model, ModelPackage } from '../index.js';
import { dnsModel, dnsFields } from '../models/dns/model.js';
import { dnsPackage } from '../models/dns/package.js';
import type { DnsParams } from '../models/dns/params.js';

export const modelPackage: ModelPackage = {
  ...dnsPackage,
  name: 'dns',
  // The model alone: the real system's flags (its --endpoints among them) would clash with the model's parameters.
  system: undefined,
  createModel: (params) => {
    const base = dnsModel(params as unknown as Partial<DnsParams>);
    const p = base.config;
    // The same model on a layout whose views check every write; worker threads rebuild it from this module.
    return { ...base, layout: defineLayout(dnsFields(p)), origin: undefined } as Model;
  },
};
