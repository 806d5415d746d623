import type { View } from "../output.js";

/** What `security-domain download` prints: where the file is and what it takes to use it. */
export interface DownloadedSecurityDomain {
  status: string;
  securityDomainFile: string;
  shares: number;
  required: number;
}

export const downloadedSecurityDomainView: View<DownloadedSecurityDomain> = {
  json: (d) => d,
  columns: [
    { header: "Status", value: (d) => d.status },
    { header: "Security domain file", value: (d) => d.securityDomainFile },
    { header: "Shares", value: (d) => d.shares },
    { header: "Required (quorum)", value: (d) => d.required },
  ],
};

/** SecurityDomainOperationStatus, as the pending endpoints answer it. */
export interface SecurityDomainOperation {
  status: "Success" | "InProgress" | "Failed";
  status_details: string | null;
}

export const securityDomainOperationView: View<SecurityDomainOperation> = {
  json: (o) => ({ status: o.status, statusDetails: o.status_details }),
  columns: [
    { header: "Status", value: (o) => o.status },
    { header: "Details", value: (o) => o.status_details },
  ],
};
