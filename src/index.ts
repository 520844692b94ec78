// The package root: everything users import from "tessera".

export {
  TesseraError,
  NotFoundError,
  AlreadyExistsError,
  CorruptFileError,
  CommitConflictError,
  RetryableError,
  NotSupportedError,
  InvalidArgumentError,
  StorageError,
  isTesseraError,
  type TesseraErrorCode,
  type ErrorContext,
} from "../format/errors.js";
export type {
  ObjectStore,
  ObjectMeta,
  ObjectWriter,
  ByteRange,
  StorageOptions,
  StoreStats,
  GetRangesOptions,
  WriterOptions,
} from "../format/store/object-store.js";
export { openStore, parseUri, type ParsedUri } from "../format/store/open-store.js";
export { MemoryStore, clearMemoryStore } from "../format/store/memory.js";
export { LocalStore } from "../format/store/local.js";
export {
  DataFileWriter,
  writeDataFile,
  type DataFileWriterOptions,
  type DataFileSummary,
  type BatchSource,
} from "../format/file/writer.js";
export { DataFileReader, type OpenOptions, type PageInfo } from "../format/file/reader.js";
export type { TakeOptions } from "../format/file/take.js";
export type { ScanOptions } from "../format/file/scan.js";
export type { FileMetadata, PageMeta, PageStats, ColumnMeta } from "../format/file/layout.js";
export { type SearchOptions } from "../index/table.js";
export { Table, type ToDataFrameOptions } from "./table.js";
export type { CreateIndexOptions, IndexInfo, IndexProgress, OptimizeIndicesOptions } from "../index/manage.js";
export type { Metric } from "../index/distance.js";
export {
  type CreateOptions,
  type OpenTableOptions,
  type ScanOptions as TableScanOptions,
  type UpdateOptions,
  type FilterInput,
  type Tags,
} from "../format/table/table.js";
export type { TableData } from "../format/table/write.js";
export type { RowFilter } from "../format/table/read.js";
export { ROW_ID } from "../format/table/read.js";
export type { MergeInsertOptions, MergeStats } from "../format/table/ops/merge-insert.js";
export type { AddColumnsFnOptions, ColumnsFn, ColumnsResult } from "../format/table/ops/add-columns.js";
export type { CompactOptions, CompactProgress, CompactStats } from "../format/table/ops/compact.js";
export type { CleanupOptions, CleanupStats, TagInfo, VersionInfo } from "../format/table/ops/versions.js";
export type { Manifest, Fragment, OperationRecord } from "../format/table/manifest.js";
export { TableSchema, type TableField } from "../format/schema.js";

// The DataFrame engine.
export {
  DataFrame,
  GroupedDataFrame,
  type ColumnInput,
  type JoinOptions,
  type SortOptions,
  type SampleOptions,
  type RunOptions,
  type RunReport,
} from "./dataframe.js";
export { Expr, type ExprLike, type ApplyOptions, type ListAccessor } from "./expr/expr.js";
export { col, lit, when, count, sql, When } from "./expr/builders.js";
export { DataType } from "./expr/data-type.js";
export type { StrNamespace, ReplaceOptions } from "./expr/namespaces/str.js";
export type { ListNamespace } from "./expr/namespaces/list.js";
export type { ExplainOptions } from "./plan/explain.js";
export type { ShowOptions } from "./show.js";
export type { ExecOptions, ProgressEvent } from "./exec/context.js";
export type { DeadLetter } from "./udf/context.js";
export type { ScanSource, ScanPushdown, SourceCapabilities, ScanContext, WriteSummary } from "./io/source.js";
export type { ReadTableOptions, WriteTableOptions, WriteTableMode } from "./io/table-source.js";
export { readJson, readCsv, readParquet, readTable, fromGlob, fromArrow, fromRows, fromSource } from "./read.js";
export type { JsonReadOptions } from "./io/json.js";
export type { CsvReadOptions } from "./io/csv.js";
export type { ParquetReadOptions } from "./io/parquet.js";
export type { GlobOptions } from "./io/glob.js";
export type { ParquetWriteOptions, ParquetCompression } from "./io/write-parquet.js";
export type { JsonWriteOptions } from "./io/write-json.js";
export type { CsvWriteOptions } from "./io/write-csv.js";
export {
  udf,
  closeWorkerPools,
  UdfError,
  UdfReturnTypeError,
  UdfSetupError,
  type UdfFunction,
  type UdfBuilder,
  type BatchFn,
  type ClassUdfOptions,
  type UdfInstance,
  type UdfOptions,
  type UdfResult,
  type WorkerTarget,
  type WorkerUdfOptions,
} from "./udf/index.js";
export type { UrlNamespace, DownloadOptions, UploadOptions, UploadNaming, UrlOnError } from "./expr/namespaces/url.js";
export { UrlError, LocalFileAccessError, UrlSetupError, type UrlFailure, type UrlFunctionName } from "./multimodal/url/index.js";
export { readImages } from "./read.js";
export type { ReadImagesOptions } from "./io/images.js";
export type { ImageNamespace, DecodeOptions, EncodeOptions, FormatOptions, HashOptions, ImageFormat, ImageMode, ResizeFit, ResizeOptions, ResizeTo, ReshapeOptions, SizeOptions, ToModeOptions, ToTensorOptions } from "./expr/namespaces/image.js";
export { decodedImageType, perceptualHash, ImageDecodeError, ImageRowError } from "./multimodal/image/index.js";
export {
  embedders,
  embedOnWorkers,
  createEmbedder,
  registerEmbedder,
  fitPca,
  projectPca,
  EMBEDDING_EXTENSION,
  ImageEmbedder,
  PhashEmbedder,
  TextEmbedder,
  OnnxEmbedder,
  type Embedder,
  type EmbedderDescriptor,
  type Embedders,
  type EmbedderFactory,
  type EmbedOnWorkersOptions,
  type EmbedOptions,
  type ImageEmbedderOptions,
  type ImageFitInput,
  type ImageFitOptions,
  type PhashEmbedderOptions,
  type TextEmbedderOptions,
  type OnnxEmbedderOptions,
  type OnnxImagePreprocess,
  type OnnxTextPreprocess,
  type PcaProjection,
  type FitPcaOptions,
} from "./embed/index.js";
export type { BackfillOptions, BackfillStats, BackfillValues } from "./embed/backfill.js";
export type { EmbeddingNamespace, EmbeddingOperand } from "./expr/namespaces/embedding.js";
export type { SearchQuery, TableSearchOptions } from "./table-search.js";
