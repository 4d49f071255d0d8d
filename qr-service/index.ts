/**
 * The QR service's public surface: GS1 Digital Link codes on the deployment's domain, their
 * images, label sheets, the Koa router the gateway mounts, the resolver and the consumer page.
 * Other parts import from here only.
 *
 * @example
 * import { createQrRouter } from '../qr-service';
 * app.use(createQrRouter({ baseUrl: 'https://zfc.example.cn' }).routes());
 */
export { packageLink, linkForPath, linkForIdentifier, type PackageCode } from './code-link';
export { qrConfig, qrConfigFromEnv, DEFAULT_MAX_LABELS, type QrConfig, type QrConfigInput } from './config';
export {
  imageOptions, qrMatrix, qrPng, qrSvg, DEFAULT_IMAGE_OPTIONS, IMAGE_LIMITS,
  type ErrorCorrectionLevel, type QrImageOptions, type QrMatrix,
} from './qr-image';
export { findCjkFont, CJK_FONT_CANDIDATES, type CjkFont } from './cjk-font';
export { labelRequest, type LabelInput, type LabelRequest, type SerialRange } from './label-request';
export { writeLabelSheet, LABELS_PER_PAGE, LABEL_LAYOUT, type LabelSheetOptions, type LabelSheetSummary } from './label-sheet';
export { createLabelRouter, createQrRouter } from './qr-router';
export type {
  CertificationView, HopView, InspectionOutcome, InspectionView, ItemView, ItemWarning, LocalText, LotStatus, LotView, PartyView, ProductView, RecallNoticeSource, RecallNoticeView, ResolverSource, TestView,
} from './resolver-source';
export { lookUp, type Resolution, type ResolvedLevel } from './resolution';
export { linkset, LINK_TYPES, type ServedLinkType } from './linkset';
export { resolveRequest, prefersJson, type ResolverOptions, type ResolverRequest, type ResolverResponse } from './resolver';
export { createResolverRouter, type ResolverRouterOptions } from './resolver-router';
export { createRecallNoticesRouter, renderRecallNotices, MAX_NOTICES, type NoticesContext } from './recall-notices';
export { createHomeRouter, lookupPath, renderHomePage, HOME_RECALLS, type HomeLink, type HomeRouterOptions, type LookupOutcome, type LookupQuery } from './home-page';
export { renderConsumerPage, renderProblemPage, type PageContext } from './consumer-page';
export { chooseLanguage, LANGUAGES, type Language } from './language';
export { basePath, requestLanguage, sendPage } from './page-route';
export { registerQrCommands } from './commands';
export { cloneWarning, distanceKm, impossibleTravel, type CloneCheckOptions, type ImpossibleTravel, type ScanPoint } from './clone-check';
