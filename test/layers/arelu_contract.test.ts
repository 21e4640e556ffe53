import { arelu } from '../../src/index.js';
import { describeLayerContract } from '../helpers/layer_contract.js';

describeLayerContract('AReLU', { create: () => arelu({ initialSlope: 0.3 }), inputShape: [4, 3] });
