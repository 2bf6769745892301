import { detectorHeads, LOCATOR_OUTPUT } from '../../tools/model/locator';

// The item locator ships as the detector's heads alone, reading the quality model's backbone:
// which nodes are the heads', and which of the backbone's layers they read.

const node = (name: string, op: string, ...input: string[]) => ({ name, op, input });

/** A toy detector: a backbone (image → conv → two layers) and heads reading both layers. */
const DETECTOR = {
  node: [
    node('images', 'Placeholder'),
    node('w1', 'Const'),
    node('conv1', '_FusedConv2D', 'images', 'w1'),
    node('deep', 'Relu', 'conv1'),
    node('shallow', 'Relu', 'images'),
    node('pooled', 'Mean', 'deep'),
    node('w2', 'Const'),
    node('axes', 'Const'),
    node('head', '_FusedConv2D', 'deep:0', 'w2', '^axes'),
    node('up', 'ResizeBilinear', 'head'),
    node(LOCATOR_OUTPUT, 'Identity', 'up', 'shallow', 'axes'),
  ],
};

describe('the detector heads (npm run locator)', () => {
  it('keeps the nodes the backbone does not compute, reading its layers through placeholders, and its constants copied', () => {
    const shipped = ['images', 'w1', 'conv1', 'deep', 'shallow', 'pooled', 'axes'];
    const { nodes, inputs } = detectorHeads(DETECTOR, shipped);
    expect(inputs).toEqual(['deep', 'shallow']);
    const byName = Object.fromEntries(nodes.map((n) => [n.name, n.op]));
    expect(byName).toEqual({ deep: 'Placeholder', shallow: 'Placeholder', w2: 'Const', head: '_FusedConv2D', up: 'ResizeBilinear', axes: 'Const', [LOCATOR_OUTPUT]: 'Identity' });
  });

  it('refuses heads that read nothing of the backbone, and a detector without the detections', () => {
    expect(() => detectorHeads(DETECTOR, ['w1'])).toThrow(/read no layer of the shipped backbone/);
    expect(() => detectorHeads({ node: DETECTOR.node.slice(0, -1) }, [])).toThrow(`the detector graph has no node "${LOCATOR_OUTPUT}"`);
  });
});
