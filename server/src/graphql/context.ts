import type { Config } from '../config.js';
import type { Principal } from '../access/tokens.js';
import type { Services } from '../services.js';

export interface Context {
  principal: Principal;
  services: Services;
  config: Config;
}
