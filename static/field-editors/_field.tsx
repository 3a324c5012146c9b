/**
 * UI Kit (`@forge/react`) editors and views for the app's input fields (impact, urgency, usage mode,
 * incident nature, workaround): codes are stored, people see labels in their language. Each
 * `<field>-edit.tsx` / `<field>-view.tsx` beside this file is one Forge resource (docs/ui.md lists
 * them for the manifest); Forge bundles these sources itself.
 */
import React, { useCallback, useEffect, useState } from 'react';
import ForgeReconciler, { Inline, Label, Lozenge, Select, Text, useProductContext } from '@forge/react';
import { CustomFieldEdit } from '@forge/react/jira';
import { view } from '@forge/bridge';
import { codesOf, labelOf } from '../../src/domain/codes';
import { FIELD_NAMES, localeOf, optionsOf, PLACEHOLDER, type InputDimension } from './_options';

interface FieldContext {
  locale?: string;
  extension?: { fieldValue?: unknown };
}

function FieldEdit({ dimension }: { dimension: InputDimension }) {
  const context = useProductContext() as FieldContext | undefined;
  const locale = localeOf(context?.locale);
  const [value, setValue] = useState<string | null>(null);
  useEffect(() => {
    const v = context?.extension?.fieldValue;
    setValue(typeof v === 'string' && codesOf(dimension).includes(v) ? v : null);
  }, [context, dimension]);
  const options = optionsOf(dimension, locale);
  const onSubmit = useCallback(async () => {
    await view.submit(value);
  }, [value]);
  return (
    <CustomFieldEdit onSubmit={onSubmit}>
      <Label labelFor={`rg-${dimension}`}>{FIELD_NAMES[dimension][locale]}</Label>
      <Select
        inputId={`rg-${dimension}`}
        appearance="default"
        isClearable
        autoFocus
        placeholder={PLACEHOLDER[locale]}
        options={options}
        value={options.find((o) => o.value === value) ?? null}
        onChange={(o: { value: string } | null) => setValue(o ? o.value : null)}
      />
    </CustomFieldEdit>
  );
}

function FieldView({ dimension }: { dimension: InputDimension }) {
  const context = useProductContext() as FieldContext | undefined;
  const locale = localeOf(context?.locale);
  const v = context?.extension?.fieldValue;
  if (typeof v !== 'string' || v === '') return <Text>{PLACEHOLDER[locale]}</Text>;
  const known = codesOf(dimension).includes(v);
  return (
    <Inline space="space.050">
      <Lozenge appearance={known ? 'default' : 'removed'}>{labelOf(dimension, v, locale)}</Lozenge>
    </Inline>
  );
}

/** Renders the editor of a field (a Forge `jira:customField` edit resource). */
export function renderEdit(dimension: InputDimension): void {
  ForgeReconciler.render(
    <React.StrictMode>
      <FieldEdit dimension={dimension} />
    </React.StrictMode>,
  );
}

/** Renders the view of a field (a Forge `jira:customField` view resource): the label, never the code. */
export function renderView(dimension: InputDimension): void {
  ForgeReconciler.render(
    <React.StrictMode>
      <FieldView dimension={dimension} />
    </React.StrictMode>,
  );
}
