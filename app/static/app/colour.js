/**
 * Colour contrast as WCAG 2 defines it, for the design pane's warning when the chosen colours
 * would make a page hard to read.
 */

/** The contrast AA asks of normal-size text. */
export const AA_TEXT_CONTRAST = 4.5;

/** The linear value of one sRGB channel (0–255). */
function linear(channel) {
  const value = channel / 255;
  return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
}

function luminance(hex) {
  const [red, green, blue] = [1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16));
  return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue);
}

/** The contrast ratio of two "#rrggbb" colours, from 1 (the same) to 21 (black on white). */
export function contrastRatio(first, second) {
  const [lighter, darker] = [luminance(first), luminance(second)].sort((a, b) => b - a);
  return (lighter + 0.05) / (darker + 0.05);
}
