import { describe, expect, it } from 'vitest';
import { parseInputs, parseInputShapes, splitList } from '../../src/config/inputs.ts';
import { ConfigError } from '../../src/core/errors.ts';

const getter = (values: Record<string, string>) => (name: string) => values[name] ?? '';

describe('parseInputs', () => {
  it('applies the defaults', () => {
    expect(parseInputs(getter({ 'github-token': 't' }))).toEqual({
      models: ['**/*.onnx', '**/*.tflite', '**/model.json'],
      targets: ['raspberry-pi-4', 'pixel-3'],
      maxIncrease: null,
      config: '.github/edgeperf.yml',
      configIsDefault: true,
      comment: true,
      commentKey: 'default',
      failOn: 'error',
      inputShapes: undefined,
      token: 't',
      customTargets: [],
    });
  });

  it('parses every input', () => {
    const i = parseInputs(
      getter({
        models: 'models/**/*.onnx\n  vision/{det,cls}.onnx , extra/*.onnx',
        targets: 'pixel-3, raspberry-pi-4',
        'max-increase': '7.5%',
        config: 'ci/budgets.yml',
        comment: 'false',
        'comment-key': 'mobile',
        'fail-on': 'never',
        'input-shapes': 'input=1x3x224x224; other = 1x10',
      }),
    );
    expect(i.models).toEqual(['models/**/*.onnx', 'vision/{det,cls}.onnx', 'extra/*.onnx']);
    expect(i.targets).toEqual(['pixel-3', 'raspberry-pi-4']);
    expect(i.maxIncrease).toBeCloseTo(0.075);
    expect(i).toMatchObject({ config: 'ci/budgets.yml', configIsDefault: false, comment: false, commentKey: 'mobile', failOn: 'never' });
    expect(i.inputShapes).toEqual({ input: [1, 3, 224, 224], other: [1, 10] });
  });

  it.each([
    ['max-increase', '5', /max-increase: '5' is not a percentage/],
    ['max-increase', 'five%', /max-increase/],
    ['fail-on', 'warn', /fail-on: 'warn' is not one of: error, never/],
    ['comment', 'yes please', /comment: 'yes please' is not a boolean/],
    ['comment-key', 'a -->', /comment-key/],
    ['targets', 'pixel 3', /targets: 'pixel 3' is not a target id/],
    ['input-shapes', 'input:1x3', /input-shapes: 'input:1x3' is not NAME=DIMS/],
  ])('rejects %s=%j naming the input', (name, value, message) => {
    const run = () => parseInputs(getter({ [name]: value }));
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(message);
  });
});

describe('helpers', () => {
  it('splits on commas and newlines but not inside braces', () => {
    expect(splitList('a,{b,c}/*.onnx\n\n d ')).toEqual(['a', '{b,c}/*.onnx', 'd']);
  });
  it('returns undefined for empty input shapes', () => {
    expect(parseInputShapes('  ')).toBeUndefined();
  });
});
