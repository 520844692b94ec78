// The url functions (url.download, url.upload), registered when the expression compiler loads its functions.

import { registerFunctions } from "../../expr/functions/registry.js";
import { DOWNLOAD } from "./download.js";
import { UPLOAD } from "./upload.js";

registerFunctions(DOWNLOAD, UPLOAD);

export { DOWNLOAD, UPLOAD };
export { UrlError, LocalFileAccessError, UrlSetupError, type UrlFailure, type UrlFunctionName } from "./errors.js";
export { StorageRef, type DownloadOptions, type UploadOptions, type UploadNaming, type UrlOnError } from "./options.js";
export { sniffExtension } from "./sniff.js";
