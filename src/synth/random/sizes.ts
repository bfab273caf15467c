/** Input sizes the random families sample from (image sides as shipped on edge devices). */

/** Square image sides, 32 (CIFAR) to 224 (ImageNet). */
export const IMAGE_SIDES = [32, 48, 64, 96, 112, 128, 160, 192, 224] as const;
