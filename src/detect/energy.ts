/**
 * Energy figures for the on-device budget, with their source. Horowitz, "Computing's energy problem
 * (and what we can do about it)", ISSCC 2014, Fig. 1.1.9 (45 nm, 0.9 V): a 32-bit floating-point
 * add costs 0.9 pJ and a multiply 3.7 pJ; reading 32 bits from an 8 kB SRAM costs 5 pJ. Newer phone
 * processes spend less per operation, so these are upper figures for the arithmetic alone.
 */
export const PJ_PER_FP32_MAC = 0.9 + 3.7;
/** A MAC with both operands fetched from a small SRAM (two 32-bit reads). */
export const PJ_PER_FP32_MAC_WITH_SRAM = PJ_PER_FP32_MAC + 2 * 5;
export const ENERGY_SOURCE = 'Horowitz 2014, ISSCC, 45 nm: FP32 add 0.9 pJ, multiply 3.7 pJ, 8 kB SRAM read 5 pJ';
