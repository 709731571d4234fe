/**
 * Shared shapes for lib/metrics and lib/imaging (see ../shared/STYLE.md).
 * A map is row-major, index y*width + x; points are {x, y} in pixel units.
 */
export type NumericArray = Float32Array | Float64Array;

export interface Grid<T extends NumericArray = NumericArray> {
  readonly width: number;
  readonly height: number;
  readonly data: T;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}
