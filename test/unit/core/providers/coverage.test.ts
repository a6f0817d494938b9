import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeCoverage, parseOpCoverage } from '../../../../src/core/providers/coverage.ts';

// Real session-creation logs of onnxruntime-web 1.30 (`logSeverityLevel: 0`), captured in a model
// worker in Chromium on the demo pair (graph-transformer chatter removed to keep the files small).
const log = (name: string) => readFileSync(new URL(`./fixtures/ort-1.30-${name}.log`, import.meta.url), 'utf8').split('\n');

describe('op coverage from ORT verbose session log', () => {
  it('WebNN with a static batch: one fused partition holding all 34 nodes', () => {
    const coverage = parseOpCoverage(log('webnn-int8-static'));
    expect(coverage).toEqual({ executionProvider: 'WebNNExecutionProvider', acceleratedNodes: 34, totalNodes: 34, cpuOps: {}, copyNodes: 0 });
    expect(describeCoverage(coverage!, 'WebNN NPU')).toBe('34 of 34 nodes on WebNN NPU; none fell back to the CPU');
  });

  it('WebNN with a dynamic batch: only the weight dequantizations run on WebNN, the rest on the CPU', () => {
    const coverage = parseOpCoverage(log('webnn-int8-dynamic-batch'))!;
    expect(coverage.executionProvider).toBe('WebNNExecutionProvider');
    expect(coverage.acceleratedNodes).toBe(8);
    expect(coverage.cpuOps).toEqual({ QuantizeLinear: 8, DequantizeLinear: 8, Conv: 2, Relu: 2, MaxPool: 2, Flatten: 1, Gemm: 2 });
    expect(coverage.totalNodes).toBe(8 + 25); // ORT fused /Relu_2 into the CPU Gemm after partitioning
    expect(coverage.copyNodes).toBe(8);
    expect(describeCoverage(coverage, 'WebNN NPU')).toBe(
      '8 of 33 nodes on WebNN NPU; Conv (2), DequantizeLinear (8), Flatten, Gemm (2), MaxPool (2), QuantizeLinear (8) and Relu (2) ran on the CPU',
    );
  });

  it('WebGPU on a QDQ model: QuantizeLinear has no WebGPU kernel and runs on the CPU', () => {
    const coverage = parseOpCoverage(log('webgpu-int8'))!;
    expect(coverage.executionProvider).toBe('WebGpuExecutionProvider');
    expect(Object.keys(coverage.cpuOps)).toEqual(['QuantizeLinear']);
    expect(coverage.acceleratedNodes).toBeGreaterThan(0);
    expect(coverage.totalNodes).toBe(coverage.acceleratedNodes + coverage.cpuOps.QuantizeLinear);
    expect(coverage.copyNodes).toBeGreaterThan(0);
  });

  it('WebGPU on the float model: all nodes on the GPU ("All nodes placed on" lists none)', () => {
    expect(parseOpCoverage(log('webgpu-float'))).toEqual({ executionProvider: 'WebGpuExecutionProvider', acceleratedNodes: 10, totalNodes: 10, cpuOps: {}, copyNodes: 0 });
  });

  it('says "unknown" (null) for a log without placements, and reads the last session of several', () => {
    expect(parseOpCoverage(['[W:onnxruntime:, x.cc:1 F] something else'])).toBeNull();
    expect(parseOpCoverage([])).toBeNull();
    const two = [...log('webnn-int8-dynamic-batch'), ...log('webnn-int8-static')];
    expect(parseOpCoverage(two)?.acceleratedNodes).toBe(34);
  });

  it('words one fallback the way the issue asks', () => {
    const coverage = { executionProvider: 'WebNNExecutionProvider', acceleratedNodes: 31, totalNodes: 33, cpuOps: { TopK: 1, Hardmax: 1 }, copyNodes: 4 };
    expect(describeCoverage(coverage, 'WebNN NPU')).toBe('31 of 33 nodes on WebNN NPU; Hardmax and TopK ran on the CPU');
  });
});
