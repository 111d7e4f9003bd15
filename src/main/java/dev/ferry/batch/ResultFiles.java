package dev.ferry.batch;

/**
 * The output and error files Ferry gives an ended batch whose provider has none (it
 * serves results as one stream instead): their native ids are the batch id with
 * {@code -output} or {@code -errors}, and callers see them as Ferry-minted {@code file-}
 * ids, so that the OpenAI SDK reads them like any file.
 */
public final class ResultFiles {

	private static final String OUTPUT = "-output";

	private static final String ERRORS = "-errors";

	private ResultFiles() {
	}

	/**
	 * The id callers see for a batch's output file.
	 * @param provider the provider name
	 * @param batchId the native batch id
	 * @return the minted file id
	 */
	public static String output(String provider, String batchId) {
		return publicId(provider, batchId + OUTPUT);
	}

	/**
	 * The id callers see for a batch's error file.
	 * @param provider the provider name
	 * @param batchId the native batch id
	 * @return the minted file id
	 */
	public static String errors(String provider, String batchId) {
		return publicId(provider, batchId + ERRORS);
	}

	/**
	 * Whether a native file id names a result file.
	 * @param fileId the native file id
	 * @return true for {@code <batch>-output} and {@code <batch>-errors}
	 */
	public static boolean isResultFile(String fileId) {
		return isOutput(fileId) || fileId.endsWith(ERRORS);
	}

	/**
	 * Whether a result file holds the requests that succeeded.
	 * @param fileId the native id of a result file
	 * @return true for the output file, false for the error file
	 */
	public static boolean isOutput(String fileId) {
		return fileId.endsWith(OUTPUT);
	}

	/**
	 * The batch a result file belongs to.
	 * @param fileId the native id of a result file
	 * @return the native batch id
	 */
	public static String batchId(String fileId) {
		return fileId.substring(0, fileId.length() - (isOutput(fileId) ? OUTPUT : ERRORS).length());
	}

	/**
	 * The id callers see for a result file.
	 * @param provider the provider name
	 * @param fileId the native id of a result file
	 * @return the minted file id
	 */
	public static String publicId(String provider, String fileId) {
		return FerryIds.mint("file-", provider, fileId);
	}

	/**
	 * The file object of a result file; its size is 0, since it is translated as it
	 * streams.
	 * @param provider the provider name
	 * @param fileId the native id of a result file
	 * @param createdAt when the batch ended, in Unix seconds
	 * @return the file
	 */
	public static FileObject file(String provider, String fileId, long createdAt) {
		return new FileObject(publicId(provider, fileId), provider, 0, createdAt, null,
				batchId(fileId) + (isOutput(fileId) ? "_output.jsonl" : "_errors.jsonl"), "batch_output", "processed",
				null);
	}

	/**
	 * The 404 for a result file of a batch that does not exist or has not ended.
	 * @param provider the provider name
	 * @param fileId the native id of a result file
	 * @return the error
	 */
	public static ApiError notFound(String provider, String fileId) {
		return ApiError.notFound(provider, "No such File object: " + publicId(provider, fileId));
	}

}
